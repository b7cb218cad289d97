package app

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net"
	"time"
)

// Certificate is a self-signed certificate for serving the app over
// HTTPS on a development machine, with its private key.
type Certificate struct {
	// TLS is the certificate and key, for tls.Config.Certificates.
	TLS tls.Certificate
	// PEM is the certificate alone, PEM-encoded, for clients told to
	// trust it (curl --cacert, say).
	PEM []byte
	// SPKIHash is the base64 SHA-256 of the certificate's public key
	// info: what Chromium's --ignore-certificate-errors-spki-list flag
	// takes to trust this one key, with its other checks left on.
	SPKIHash string
}

// certificateValidity is how long a generated certificate is valid.
const certificateValidity = 30 * 24 * time.Hour

// maxCertificateHosts bounds the names a certificate is made for.
const maxCertificateHosts = 16

// NewCertificate generates an ECDSA P-256 key and a self-signed
// certificate for 127.0.0.1, ::1 and localhost, plus hosts (IP addresses
// or DNS names; empty and unspecified addresses are skipped), valid from
// an hour before now for 30 days.
func NewCertificate(now time.Time, hosts ...string) (Certificate, error) {
	if len(hosts) > maxCertificateHosts {
		return Certificate{}, errors.New("app: too many certificate hosts")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Certificate{}, err
	}
	// A nil SerialNumber makes CreateCertificate pick a random one.
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "sessions demo (self-signed)"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certificateValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	for _, h := range hosts {
		addHost(tmpl, h)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return Certificate{}, err
	}
	spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	return Certificate{
		TLS:      tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		PEM:      pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		SPKIHash: base64.StdEncoding.EncodeToString(spki[:]),
	}, nil
}

// addHost adds an IP address or a DNS name to the certificate's names,
// unless it is empty, unspecified or there already.
func addHost(tmpl *x509.Certificate, host string) {
	if ip := net.ParseIP(host); ip != nil {
		for _, have := range tmpl.IPAddresses {
			if have.Equal(ip) {
				return
			}
		}
		if !ip.IsUnspecified() {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		}
		return
	}
	for _, have := range tmpl.DNSNames {
		if have == host {
			return
		}
	}
	if host != "" {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
}
