package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"cognate/internal/api"
	"cognate/internal/cognito"
)

// importUpload serves PUT /_cognate/import/{poolId}/{jobId}: the upload of
// an import job's CSV to the PreSignedUrl that CreateUserImportJob
// returned, which carries its own signature. Clients send the headers an
// upload to S3 takes (x-amz-server-side-encryption among them); they are
// accepted and need nothing.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	err := s.Service.UploadImportFile(r.Context(), r.PathValue("poolId"), r.PathValue("jobId"), q.Get("expires"), q.Get("signature"), r.Body)
	var ue *cognito.UploadError
	switch {
	case errors.As(err, &ue):
		http.Error(w, ue.Message, ue.Status)
	case err != nil:
		s.cfg.Logger.Error("storing an import upload failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// importReport serves GET /_cognate/import/{poolId}/{jobId}/report?after=N:
// the rows of a job that were skipped or failed, with their line numbers
// and reasons (what Cognito writes to CloudWatch Logs).
func (s *Server) importReport(w http.ResponseWriter, r *http.Request) {
	var after int64
	if a := r.URL.Query().Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			writeJSONError(w, &api.InvalidParameterException{Message: "after must be a line number."})
			return
		}
		after = n
	}
	rows, err := s.Service.ImportReport(r.Context(), r.PathValue("poolId"), r.PathValue("jobId"), after, 1000)
	s.writeJSON(w, r, "import report read", map[string]any{"Rows": rows}, err)
}

// runnerName names this process in the leases of the import jobs it runs.
func runnerName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// runImports runs import jobs, one at a time, until ctx ends; any node may
// take any job, and a job's lease keeps it to one.
func (s *Server) runImports(ctx context.Context) {
	owner := runnerName()
	for {
		found, err := s.Service.RunImportJobs(ctx, owner)
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("running an import job failed; it is taken up again when its lease ends", "err", err)
		}
		if found && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}
