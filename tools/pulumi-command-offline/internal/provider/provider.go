// Package provider assembles the offline command provider. Its resources are inferred by
// pulumi-go-provider's infer package, the same library (and version) that the real provider
// is built on, so Check (defaults), Diff (per-element detailed diffs, replaceOnChanges) and
// the create/update/delete plumbing behave as in pulumi-command 1.2.1 by construction.
package provider

import (
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/middleware/schema"

	"ha-mysql-iac/pulumi-command-offline/internal/local"
	"ha-mysql-iac/pulumi-command-offline/internal/remote"
)

// New returns the provider with the tokens of the @pulumi/command 1.2.1 SDK:
// command:local:Command, command:local:run, command:remote:Command,
// command:remote:CopyToRemote and command:remote:CopyFile.
func New() p.Provider {
	return infer.Provider(infer.Options{
		Metadata: schema.Metadata{
			DisplayName: "Command",
			Description: "Runs commands locally and over SSH as Pulumi resources (offline build).",
			License:     "Apache-2.0",
		},
		Resources: []infer.InferredResource{
			infer.Resource(&local.Command{}),
			infer.Resource(&remote.Command{}),
			infer.Resource(&remote.CopyToRemote{}),
			infer.Resource(&remote.CopyFile{}),
		},
		Functions: []infer.InferredFunction{
			infer.Function(&local.Run{}),
		},
	})
}
