package provider

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"golang.org/x/crypto/ssh"
)

const remoteCommand = "urn:pulumi:test::test::command:remote:Command::c"

// refusingServer is an SSH server on 127.0.0.1 that refuses every env request, as an sshd
// without AcceptEnv does, and records what it is asked: each exec's command text and each env
// request. Every exec prints stdout and exits 0.
type refusingServer struct {
	addr   string
	key    string
	stdout string
	mu     sync.Mutex
	execs  []string
	envs   []string
}

func startRefusingServer(t *testing.T, stdout string) *refusingServer {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	clientPub, clientPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(clientPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	authorized, err := ssh.NewPublicKey(clientPub)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
		if string(k.Marshal()) == string(authorized.Marshal()) {
			return nil, nil
		}
		return nil, ssh.ErrNoAuth
	}}
	cfg.AddHostKey(hostSigner)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	s := &refusingServer{addr: l.Addr().String(), key: string(pem.EncodeToMemory(block)), stdout: stdout}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c, cfg)
		}
	}()
	return s
}

func (s *refusingServer) serve(c net.Conn, cfg *ssh.ServerConfig) {
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "session only")
			continue
		}
		ch, in, err := nc.Accept()
		if err != nil {
			return
		}
		go func() {
			defer ch.Close()
			for req := range in {
				switch req.Type {
				case "env":
					var kv struct{ Name, Value string }
					_ = ssh.Unmarshal(req.Payload, &kv)
					s.mu.Lock()
					s.envs = append(s.envs, kv.Name+"="+kv.Value)
					s.mu.Unlock()
					_ = req.Reply(false, nil)
				case "exec":
					var cmd struct{ Command string }
					_ = ssh.Unmarshal(req.Payload, &cmd)
					s.mu.Lock()
					s.execs = append(s.execs, cmd.Command)
					s.mu.Unlock()
					_ = req.Reply(true, nil)
					_, _ = ch.Write([]byte(s.stdout + "\n"))
					_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
					return
				default:
					_ = req.Reply(false, nil)
				}
			}
		}()
	}
}

func (s *refusingServer) record() (execs, envs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.execs...), append([]string(nil), s.envs...)
}

// As pulumi-command 1.2.1's remote CommandOutputs.run (provider/pkg/provider/remote/
// commandOutputs.go): on update and delete the previous stdout goes in a PULUMI_COMMAND_STDOUT
// env request; when the server refuses it the run goes on with the command exactly as written,
// with nothing put onto its command line.
func TestRemotePreviousOutputRefusedStaysOffTheCommandLine(t *testing.T) {
	const previous = "PREVIOUS-OUTPUT-7d41"
	srv := startRefusingServer(t, previous)
	host, port, _ := net.SplitHostPort(srv.addr)
	portNum, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	props := func(create string) property.Map {
		return property.NewMap(map[string]property.Value{
			"connection": property.New(property.NewMap(map[string]property.Value{
				"host":       property.New(host),
				"port":       property.New(float64(portNum)),
				"user":       property.New("root"),
				"privateKey": property.New(srv.key),
			})),
			"create": property.New(create),
			"update": property.New(create),
			"delete": property.New("echo delete"),
		})
	}
	s := server(t)
	c, err := s.Create(p.CreateRequest{Urn: remoteCommand, Properties: props("echo one")})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Properties.Get("stdout").AsString(); got != previous {
		t.Fatalf("stdout %q", got)
	}
	u, err := s.Update(p.UpdateRequest{Urn: remoteCommand, ID: c.ID, State: c.Properties, Inputs: props("echo two"), OldInputs: props("echo one")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(p.DeleteRequest{Urn: remoteCommand, ID: c.ID, Properties: u.Properties}); err != nil {
		t.Fatal(err)
	}
	execs, envs := srv.record()
	if want := []string{"echo one", "echo two", "echo delete"}; strings.Join(execs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("commands run %q, want %q", execs, want)
	}
	if want := []string{"PULUMI_COMMAND_STDOUT=" + previous, "PULUMI_COMMAND_STDOUT=" + previous}; strings.Join(envs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("env requests %q, want %q", envs, want)
	}
}
