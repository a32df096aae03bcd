package cognito

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"cognate/internal/api"
	"cognate/internal/secrets"
	"cognate/internal/store"
)

// Config is what the domain needs to know about the deployment.
type Config struct {
	// Region is used for new pool IDs when a request carries no credential scope.
	Region string
	// AccountID appears in ARNs.
	AccountID string
	// PublicURL is the base of token issuers and presigned URLs.
	PublicURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service implements api.Service. Operations not implemented yet answer
// UnsupportedOperationException through the embedded api.Unimplemented.
type Service struct {
	api.Unimplemented
	store store.Store
	box   *secrets.Box
	cfg   Config
	// pools caches decoded pool settings by pool ID, as last read (see
	// sharedPool and knownPool).
	pools sync.Map
	// keys caches opened signing keys by "<pool ID>/<kid>" (see openKey).
	keys sync.Map
	// keyLists caches each pool's list of keys briefly (see listKeys).
	keyLists sync.Map
	// clients keeps a copy of each app client the sign-ins name, by client
	// ID (see signInStep).
	clients sync.Map
}

var _ api.Service = (*Service)(nil)

// New returns the domain service on st; box encrypts secrets at rest.
func New(st store.Store, box *secrets.Box, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{store: st, box: box, cfg: cfg}
}

// now is the injected clock, truncated to the millisecond the store keeps.
func (s *Service) now() time.Time {
	return s.cfg.Now().UTC().Truncate(time.Millisecond)
}

// region is the region a new resource of this request belongs to.
func (s *Service) region(ctx context.Context) string {
	if r := api.RequestInfoFrom(ctx).Region; r != "" {
		return r
	}
	return s.cfg.Region
}

// poolARN is the ARN of a pool; the region is the pool ID's prefix.
func (s *Service) poolARN(poolID string) string {
	region, _, _ := strings.Cut(poolID, "_")
	return fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", region, s.cfg.AccountID, poolID)
}

// poolIDFromARN returns the pool ID of a user pool ARN of this account.
func (s *Service) poolIDFromARN(arn string) (string, bool) {
	const prefix = "arn:aws:cognito-idp:"
	rest, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		return "", false
	}
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 || parts[1] != s.cfg.AccountID {
		return "", false
	}
	id, ok := strings.CutPrefix(parts[2], "userpool/")
	if !ok || !strings.HasPrefix(id, parts[0]+"_") {
		return "", false
	}
	return id, true
}

// notFound turns store.ErrNotFound into the Cognito error the call site chose
// and passes any other error through.
func notFound(err error, apiErr error) error {
	if errors.Is(err, store.ErrNotFound) {
		return apiErr
	}
	return err
}

func invalidParameter(format string, args ...any) error {
	return &api.InvalidParameterException{Message: fmt.Sprintf(format, args...)}
}

// update runs fn in one transaction of the store.
func (s *Service) update(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.store.Update(ctx, fn)
}

// CollectExpired removes expired sessions and refresh tokens, at most limit
// of each, and returns how many it removed. A refresh token's row outlives
// the token by as long as the access tokens it minted may live.
func (s *Service) CollectExpired(ctx context.Context, limit int) (int, error) {
	var n int
	err := s.update(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.DeleteExpiredAuth(ctx, s.now().Add(-refreshGCDelay), limit)
		return err
	})
	return n, err
}
