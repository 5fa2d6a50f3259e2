package snapshot

import (
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

// s3Opener serves an empty bucket from gofakes3 over loopback HTTP and
// opens the store on it through s3blob and the real AWS SDK client.
func s3Opener(t *testing.T, clock *audittest.Clock, opts Options) *Store {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("audit"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	// Fake credentials, and no local AWS profile or instance metadata.
	t.Setenv("AWS_ACCESS_KEY_ID", "test-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	q := url.Values{
		"endpoint":       {srv.URL},
		"region":         {"us-east-1"},
		"use_path_style": {"true"},
		"disable_https":  {"true"},
	}
	return openURL(t, "s3://audit/team/sheetaudit?"+q.Encode(), clock, opts)
}

func TestStoreS3(t *testing.T) { testStore(t, s3Opener) }

func TestCrashS3(t *testing.T) {
	// Prune's sweep and the grace period read ModTimes the server sets.
	testCrash(t, s3Opener)
}
