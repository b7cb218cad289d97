package app_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/typedsession/sessions/examples/webapp/app"
)

func TestNewCertificateIsForLoopbackAndTheGivenHosts(t *testing.T) {
	now := time.Now()
	cert, err := app.NewCertificate(now, "192.0.2.7", "dev.example", "", "0.0.0.0", "127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.TLS.Leaf
	key, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || key.Curve != elliptic.P256() {
		t.Fatalf("public key %T, want ECDSA P-256", leaf.PublicKey)
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	if want := []string{"127.0.0.1", "::1", "192.0.2.7"}; !slices.Equal(ips, want) {
		t.Errorf("IP addresses %v, want %v", ips, want)
	}
	if want := []string{"localhost", "dev.example"}; !slices.Equal(leaf.DNSNames, want) {
		t.Errorf("DNS names %v, want %v", leaf.DNSNames, want)
	}
	if leaf.NotBefore.After(now) || leaf.NotAfter.Before(now.Add(7*24*time.Hour)) {
		t.Errorf("valid %v to %v, want now and the next week covered", leaf.NotBefore, leaf.NotAfter)
	}
	sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	if cert.SPKIHash != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("SPKIHash %q is not the SHA-256 of the key info", cert.SPKIHash)
	}
	if block, _ := pem.Decode(cert.PEM); block == nil || block.Type != "CERTIFICATE" || !slices.Equal(block.Bytes, leaf.Raw) {
		t.Error("PEM does not hold the certificate")
	}
}

func TestNewCertificateServesAClientThatTrustsIt(t *testing.T) {
	cert, err := app.NewCertificate(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert.TLS}}
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(cert.PEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, host := range []string{"127.0.0.1", "localhost"} {
		resp, err := client.Get("https://" + net.JoinHostPort(host, port) + "/")
		if err != nil {
			t.Errorf("%s: %v", host, err)
			continue
		}
		resp.Body.Close()
	}
}

func TestNewCertificateRefusesTooManyHosts(t *testing.T) {
	if _, err := app.NewCertificate(time.Now(), make([]string, 17)...); err == nil {
		t.Fatal("NewCertificate accepted 17 hosts")
	}
}
