package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"hash"
	"os"
	"strconv"
	"strings"

	"github.com/Shopify/sarama"

	"strom-compat/records"
)

// secure applies the connection security given in the environment, as the compatibility tests
// set it: STROM_COMPAT_TLS_CA (a PEM file; TLS on), STROM_COMPAT_TLS_CERT and STROM_COMPAT_TLS_KEY
// (a client certificate), STROM_COMPAT_SASL_MECHANISM (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512) with
// STROM_COMPAT_SASL_USER and STROM_COMPAT_SASL_PASSWORD. Nothing set: plaintext, as before.
func secure(c *sarama.Config) {
	if ca := os.Getenv("STROM_COMPAT_TLS_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			records.Fail("read %s: %v", ca, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			records.Fail("no certificate in %s", ca)
		}
		t := &tls.Config{RootCAs: pool}
		if cert := os.Getenv("STROM_COMPAT_TLS_CERT"); cert != "" {
			pair, err := tls.LoadX509KeyPair(cert, os.Getenv("STROM_COMPAT_TLS_KEY"))
			if err != nil {
				records.Fail("client certificate: %v", err)
			}
			t.Certificates = []tls.Certificate{pair}
		}
		c.Net.TLS.Enable = true
		c.Net.TLS.Config = t
	}
	mechanism := os.Getenv("STROM_COMPAT_SASL_MECHANISM")
	if mechanism == "" {
		return
	}
	c.Net.SASL.Enable = true
	c.Net.SASL.Mechanism = sarama.SASLMechanism(mechanism)
	c.Net.SASL.User = os.Getenv("STROM_COMPAT_SASL_USER")
	c.Net.SASL.Password = os.Getenv("STROM_COMPAT_SASL_PASSWORD")
	switch mechanism {
	case sarama.SASLTypeSCRAMSHA256:
		c.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: sha256.New} }
	case sarama.SASLTypeSCRAMSHA512:
		c.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: sha512.New} }
	}
}

// scramClient is SCRAM (RFC 5802) with the standard library only: sarama leaves the mechanism to
// the application, and Debian packages no SCRAM library for Go.
type scramClient struct {
	hash             func() hash.Hash
	user, password   string
	nonce, firstBare string
	serverSignature  []byte
	step             int
}

func (s *scramClient) Begin(user, password, _ string) error {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	s.user, s.password, s.nonce = user, password, base64.RawURLEncoding.EncodeToString(b)
	return nil
}

func (s *scramClient) mac(key []byte, data string) []byte {
	m := hmac.New(s.hash, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// pbkdf2 is RFC 8018's PBKDF2 with the client's HMAC, one block of the hash's size.
func (s *scramClient) pbkdf2(salt []byte, iterations int) []byte {
	m := hmac.New(s.hash, []byte(s.password))
	m.Write(salt)
	m.Write([]byte{0, 0, 0, 1})
	u := m.Sum(nil)
	out := append([]byte(nil), u...)
	for i := 1; i < iterations; i++ {
		m = hmac.New(s.hash, []byte(s.password))
		m.Write(u)
		u = m.Sum(nil)
		for j := range out {
			out[j] ^= u[j]
		}
	}
	return out
}

func (s *scramClient) Step(challenge string) (string, error) {
	s.step++
	switch s.step {
	case 1:
		name := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s.user)
		s.firstBare = "n=" + name + ",r=" + s.nonce
		return "n,," + s.firstBare, nil
	case 2:
		attrs := map[string]string{}
		for _, kv := range strings.Split(challenge, ",") {
			if len(kv) > 2 && kv[1] == '=' {
				attrs[kv[:1]] = kv[2:]
			}
		}
		salt, err := base64.StdEncoding.DecodeString(attrs["s"])
		iterations, ierr := strconv.Atoi(attrs["i"])
		if err != nil || ierr != nil || !strings.HasPrefix(attrs["r"], s.nonce) {
			return "", fmt.Errorf("invalid server first message %q", challenge)
		}
		salted := s.pbkdf2(salt, iterations)
		clientKey := s.mac(salted, "Client Key")
		h := s.hash()
		h.Write(clientKey)
		withoutProof := "c=biws,r=" + attrs["r"]
		authMessage := s.firstBare + "," + challenge + "," + withoutProof
		signature := s.mac(h.Sum(nil), authMessage)
		for i := range clientKey {
			clientKey[i] ^= signature[i]
		}
		s.serverSignature = s.mac(s.mac(salted, "Server Key"), authMessage)
		return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(clientKey), nil
	default:
		want := "v=" + base64.StdEncoding.EncodeToString(s.serverSignature)
		if challenge != want {
			return "", fmt.Errorf("invalid server signature")
		}
		return "", nil
	}
}

func (s *scramClient) Done() bool { return s.step >= 3 }
