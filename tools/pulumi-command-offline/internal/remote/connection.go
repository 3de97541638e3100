// Package remote holds command:remote:Command, command:remote:CopyToRemote and
// command:remote:CopyFile, which act on a host over SSH.
package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/retry"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// unlimitedDials is the dialErrorLimit that never gives up.
const unlimitedDials = -1

// ConnectionBase is how to reach one SSH endpoint.
type ConnectionBase struct {
	User               *string  `pulumi:"user,optional"`
	Password           *string  `pulumi:"password,optional"           provider:"secret"`
	Host               *string  `pulumi:"host"`
	Port               *float64 `pulumi:"port,optional"`
	PrivateKey         *string  `pulumi:"privateKey,optional"         provider:"secret"`
	PrivateKeyPassword *string  `pulumi:"privateKeyPassword,optional" provider:"secret"`
	AgentSocketPath    *string  `pulumi:"agentSocketPath,optional"`
	DialErrorLimit     *int     `pulumi:"dialErrorLimit,optional"`
	PerDialTimeout     *int     `pulumi:"perDialTimeout,optional"`
	HostKey            *string  `pulumi:"hostKey,optional"`
}

func annotateBase(a infer.Annotator, c *ConnectionBase) {
	a.Describe(&c.User, "The user to log in as.")
	a.SetDefault(&c.User, "root")
	a.Describe(&c.Password, "The password to log in with.")
	a.Describe(&c.Host, "The address to connect to.")
	a.Describe(&c.Port, "The port to connect to.")
	a.SetDefault(&c.Port, 22)
	a.Describe(&c.PrivateKey, "The private key to log in with.")
	a.Describe(&c.PrivateKeyPassword, "The passphrase of an encrypted private key.")
	a.Describe(&c.AgentSocketPath, "The SSH agent's socket (default $SSH_AUTH_SOCK).")
	a.Describe(&c.DialErrorLimit, "How many failed dials end the attempt; -1 never gives up.")
	a.SetDefault(&c.DialErrorLimit, 10)
	a.Describe(&c.PerDialTimeout, "Seconds one dial may take; 0 means no limit.")
	a.SetDefault(&c.PerDialTimeout, 15)
	a.Describe(&c.HostKey, "The host key the server must present (authorized_keys format); its algorithm is the only one negotiated. Unset: any key is accepted.")
}

// Connection is the type command:remote:Connection.
type Connection struct {
	ConnectionBase
	Proxy *ProxyConnection `pulumi:"proxy,optional"`
}

// Annotate describes the type in the schema.
func (c *Connection) Annotate(a infer.Annotator) {
	a.Describe(&c, "How to connect to the remote host.")
	annotateBase(a, &c.ConnectionBase)
	a.Describe(&c.Proxy, "A bastion host to connect through.")
}

// ProxyConnection is the type command:remote:ProxyConnection.
type ProxyConnection struct{ ConnectionBase }

// Annotate describes the type in the schema.
func (c *ProxyConnection) Annotate(a infer.Annotator) {
	a.Describe(&c, "How to connect to a bastion host.")
	annotateBase(a, &c.ConnectionBase)
}

func deref[T any](v *T, def T) T {
	if v == nil {
		return def
	}
	return *v
}

// clientConfig builds the SSH client configuration. A pinned host key also restricts the
// negotiated host key algorithms to the key's type, so the server signs with the pinned key
// even when it has others.
func (c *ConnectionBase) clientConfig() (*ssh.ClientConfig, error) {
	cfg := &ssh.ClientConfig{
		User:    deref(c.User, "root"),
		Timeout: time.Duration(deref(c.PerDialTimeout, 15)) * time.Second,
		//nolint:gosec // without a pinned key any host key is accepted, as documented
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	}
	if c.HostKey != nil {
		key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(*c.HostKey))
		if err != nil {
			return nil, fmt.Errorf("failed to parse host key: %w", err)
		}
		cfg.HostKeyCallback = ssh.FixedHostKey(key)
		cfg.HostKeyAlgorithms = []string{key.Type()}
	}
	if c.PrivateKey != nil {
		var signer ssh.Signer
		var err error
		if c.PrivateKeyPassword != nil {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(*c.PrivateKey), []byte(*c.PrivateKeyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(*c.PrivateKey))
		}
		if err != nil {
			return nil, err
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeys(signer))
	}
	if c.Password != nil {
		pw := *c.Password
		cfg.Auth = append(cfg.Auth, ssh.Password(pw), ssh.KeyboardInteractive(
			func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	sock := c.AgentSocketPath
	if sock == nil {
		if s := os.Getenv("SSH_AUTH_SOCK"); s != "" {
			sock = &s
		}
	}
	if sock != nil {
		conn, err := net.Dial("unix", *sock)
		if err != nil {
			return nil, err
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
	}
	return cfg, nil
}

func (c *ConnectionBase) endpoint() string {
	return net.JoinHostPort(deref(c.Host, ""), fmt.Sprintf("%d", int(deref(c.Port, 22))))
}

// dialWithRetry calls f until it succeeds or has failed more than limit times (limit -1:
// forever), backing off between attempts and reporting each failure as a status message.
func dialWithRetry[T any](ctx context.Context, what string, limit int, f func() (T, error)) (T, error) {
	var last error
	ok, data, err := retry.Until(ctx, retry.Acceptor{
		Accept: func(try int, _ time.Duration) (bool, any, error) {
			v, e := f()
			if e == nil {
				return true, v, nil
			}
			last = e
			dials := try + 1
			if limit > unlimitedDials && dials > limit {
				return true, nil, fmt.Errorf("after %d failed attempts: %w", try, last)
			}
			max := "inf"
			if limit != unlimitedDials {
				max = fmt.Sprintf("%d", limit)
			}
			p.GetLogger(ctx).InfoStatusf("%s %d/%s failed: retrying", what, dials, max)
			return false, nil, nil
		},
	})
	var zero T
	if ok && err == nil {
		return data.(T), nil
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = errors.Join(errors.New("dial abandoned"), last)
	}
	return zero, err
}

// Dial connects, through the proxy when there is one.
func (c *Connection) Dial(ctx context.Context) (*ssh.Client, error) {
	cfg, err := c.clientConfig()
	if err != nil {
		return nil, err
	}
	addr := c.endpoint()
	limit := deref(c.DialErrorLimit, 10)
	if c.Proxy == nil {
		return dialWithRetry(ctx, "Dial", limit, func() (*ssh.Client, error) { return ssh.Dial("tcp", addr, cfg) })
	}
	pcfg, err := c.Proxy.clientConfig()
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	bastion, err := dialWithRetry(ctx, "Dial proxy", deref(c.Proxy.DialErrorLimit, 10), func() (*ssh.Client, error) {
		return ssh.Dial("tcp", c.Proxy.endpoint(), pcfg)
	})
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	conn, err := dialWithRetry(ctx, "Dial from proxy", limit, func() (net.Conn, error) { return bastion.Dial("tcp", addr) })
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	var chans <-chan ssh.NewChannel
	var reqs <-chan *ssh.Request
	sc, err := dialWithRetry(ctx, "Dial", limit, func() (ssh.Conn, error) {
		cc, ch, rq, e := ssh.NewClientConn(conn, addr, cfg)
		chans, reqs = ch, rq
		return cc, e
	})
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	return ssh.NewClient(sc, chans, reqs), nil
}
