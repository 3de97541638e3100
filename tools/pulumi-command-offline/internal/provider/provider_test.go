package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

const localCommand = "urn:pulumi:test::test::command:local:Command::c"

func server(t *testing.T) integration.Server {
	t.Helper()
	s, err := integration.NewServer(context.Background(), "command", semver.MustParse("1.2.1"), integration.WithProvider(New()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func inputs(create string, triggers ...string) property.Map {
	m := map[string]property.Value{"create": property.New(create), "update": property.New(create)}
	if triggers != nil {
		vs := make([]property.Value, len(triggers))
		for i, v := range triggers {
			vs[i] = property.New(v)
		}
		m["triggers"] = property.New(vs)
	}
	return property.NewMap(m)
}

func diff(t *testing.T, olds, news property.Map) p.DiffResponse {
	t.Helper()
	r, err := server(t).Diff(p.DiffRequest{Urn: localCommand, ID: "c", State: olds, Inputs: news, OldInputs: olds})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The schema carries the tokens the @pulumi/command 1.2.1 SDK registers, and triggers is the
// only property that forces a replacement.
func TestSchemaTokensAndReplaceOnChanges(t *testing.T) {
	r, err := server(t).GetSchema(p.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Resources map[string]struct {
			InputProperties map[string]struct {
				ReplaceOnChanges bool `json:"replaceOnChanges"`
			} `json:"inputProperties"`
		} `json:"resources"`
		Functions map[string]any `json:"functions"`
	}
	if err := json.Unmarshal([]byte(r.Schema), &schema); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"command:local:Command", "command:remote:Command", "command:remote:CopyToRemote", "command:remote:CopyFile"} {
		res, ok := schema.Resources[tok]
		if !ok {
			t.Fatalf("schema lacks %s", tok)
		}
		for name, prop := range res.InputProperties {
			want := name == "triggers" && tok != "command:remote:CopyFile"
			if prop.ReplaceOnChanges != want {
				t.Errorf("%s.%s: replaceOnChanges %v, want %v", tok, name, prop.ReplaceOnChanges, want)
			}
		}
	}
	if _, ok := schema.Functions["command:local:run"]; !ok {
		t.Error("schema lacks command:local:run")
	}
}

// A changed element is reported by its path, triggers[1], as an update: the replacement comes
// from the SDK's replaceOnChanges triggers[*], which the engine matches against these paths.
func TestTriggerElementChangeIsReportedPerElement(t *testing.T) {
	r := diff(t, inputs("echo a", "x", "y"), inputs("echo a", "x", "z"))
	if !r.HasChanges {
		t.Fatal("no change reported")
	}
	if got := r.DetailedDiff["triggers[1]"].Kind; got != p.Update {
		t.Fatalf("triggers[1]: %q, want update; diff %v", got, r.DetailedDiff)
	}
	if _, ok := r.DetailedDiff["triggers"]; ok {
		t.Fatalf("the whole triggers property reported: %v", r.DetailedDiff)
	}
}

// Adding triggers where there were none is a replacement decided by the provider itself.
func TestTriggersAddedReplaces(t *testing.T) {
	r := diff(t, inputs("echo a"), inputs("echo a", "x"))
	if got := r.DetailedDiff["triggers"].Kind; got != p.AddReplace {
		t.Fatalf("triggers: %q, want add&replace; diff %v", got, r.DetailedDiff)
	}
}

// A changed command is an in-place update.
func TestCreateChangeIsAnUpdate(t *testing.T) {
	r := diff(t, inputs("echo a", "x"), inputs("echo b", "x"))
	for k, d := range r.DetailedDiff {
		if d.Kind != p.Update {
			t.Errorf("%s: %q, want update", k, d.Kind)
		}
	}
	if _, ok := r.DetailedDiff["create"]; !ok {
		t.Fatalf("create change not reported: %v", r.DetailedDiff)
	}
}

func TestNoChangeNoDiff(t *testing.T) {
	if r := diff(t, inputs("echo a", "x"), inputs("echo a", "x")); r.HasChanges || len(r.DetailedDiff) > 0 {
		t.Fatalf("unexpected diff: %+v", r)
	}
}

// Create runs create and keeps stdout less its trailing newline; update sees the previous
// outputs in PULUMI_COMMAND_STDOUT; delete sees the last ones.
func TestLocalLifecycleAndPreviousOutput(t *testing.T) {
	s := server(t)
	log := filepath.Join(t.TempDir(), "log")
	props := func(create string) property.Map {
		return property.NewMap(map[string]property.Value{
			"create": property.New(create),
			"delete": property.New(`echo "delete saw $PULUMI_COMMAND_STDOUT" >> ` + log),
		})
	}
	c, err := s.Create(p.CreateRequest{Urn: localCommand, Properties: props("echo one")})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Properties.Get("stdout").AsString(); got != "one" {
		t.Fatalf("stdout %q", got)
	}
	u, err := s.Update(p.UpdateRequest{Urn: localCommand, ID: c.ID, State: c.Properties, Inputs: props(`echo "two after $PULUMI_COMMAND_STDOUT"`)})
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Properties.Get("stdout").AsString(); got != "two after one" {
		t.Fatalf("stdout after update %q", got)
	}
	if err := s.Delete(p.DeleteRequest{Urn: localCommand, ID: c.ID, Properties: u.Properties}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(log)
	if strings.TrimSpace(string(b)) != "delete saw two after one" {
		t.Fatalf("delete log %q", b)
	}
}

// A failure carries the command text and what it printed on both streams.
func TestFailureReportsCommandAndOutput(t *testing.T) {
	_, err := server(t).Create(p.CreateRequest{Urn: localCommand, Properties: property.NewMap(map[string]property.Value{
		"create":  property.New("echo to-out; echo to-err >&2; exit 3"),
		"logging": property.New("none"),
	})})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"exit status 3", `running "echo to-out; echo to-err >&2; exit 3"`, "to-out", "to-err"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
