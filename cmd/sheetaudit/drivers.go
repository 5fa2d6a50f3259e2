package main

// The store drivers sheetaudit supports, registered with gocloud.dev/blob:
// the composition root chooses them, so the snapshot package links none
// and a build that needs fewer can drop them here.
import (
	_ "gocloud.dev/blob/fileblob" // store: a folder, or file:// URL
	_ "gocloud.dev/blob/gcsblob"  // gs:// buckets
	_ "gocloud.dev/blob/memblob"  // mem:// buckets, for trials and tests
	_ "gocloud.dev/blob/s3blob"   // s3:// buckets, any S3-compatible server
)
