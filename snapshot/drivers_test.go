package snapshot

// The store drivers these tests open buckets with; the program chooses its
// own in cmd/sheetaudit.
import (
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/gcsblob"
	_ "gocloud.dev/blob/memblob"
	_ "gocloud.dev/blob/s3blob"
)
