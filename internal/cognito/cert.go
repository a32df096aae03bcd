package cognito

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"

	"cognate/internal/api"
	"cognate/internal/store"
)

// signingCert is a pool's SAML signing certificate, made on first request.
type signingCert struct {
	DER []byte `json:"der"`
	// Key is the PKCS#8 private key, sealed under the instance key.
	Key []byte `json:"key"`
}

func (s *Service) GetSigningCertificate(ctx context.Context, in *api.GetSigningCertificateInput) (*api.GetSigningCertificateOutput, error) {
	p, err := s.getPool(ctx, s.store, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if p.doc.SigningCert == nil {
		// Made outside the transaction: key generation is slow, and a
		// concurrent request that stored one first wins below.
		cert, err := s.newSigningCert(p.rec.ID)
		if err != nil {
			return nil, err
		}
		err = s.update(ctx, func(tx store.Tx) error {
			fresh, err := s.getPoolForUpdate(ctx, tx, p.rec.ID)
			if err != nil {
				return err
			}
			if fresh.doc.SigningCert == nil {
				fresh.doc.SigningCert = cert
				if err := s.savePool(ctx, tx, fresh); err != nil {
					return err
				}
			}
			p = fresh
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return &api.GetSigningCertificateOutput{Certificate: new(base64.StdEncoding.EncodeToString(p.doc.SigningCert.DER))}, nil
}

func (s *Service) newSigningCert(poolID string) (*signingCert, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := s.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: poolID, Organization: []string{"Cognate"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("signing certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &signingCert{DER: der, Key: s.box.Seal(pkcs8, "pool/"+poolID+"/saml-signing-key")}, nil
}
