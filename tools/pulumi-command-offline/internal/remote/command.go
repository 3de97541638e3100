package remote

import (
	"context"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"ha-mysql-iac/pulumi-command-offline/internal/output"
	"ha-mysql-iac/pulumi-command-offline/internal/triggers"
)

// Command is command:remote:Command.
type Command struct{}

// Annotate describes the resource in the schema.
func (c *Command) Annotate(a infer.Annotator) {
	a.Describe(&c, "A command run on a host over SSH: create on creation, update (or create) on an in-place change, delete on deletion or replacement.")
}

// CommandInputs are the resource's inputs.
type CommandInputs struct {
	triggers.ResourceInputs
	Stdin                  *string           `pulumi:"stdin,optional"`
	Logging                *Logging          `pulumi:"logging,optional"`
	Connection             *Connection       `pulumi:"connection"                      provider:"secret"`
	Environment            map[string]string `pulumi:"environment,optional"`
	AddPreviousOutputInEnv *bool             `pulumi:"addPreviousOutputInEnv,optional"`
}

// Annotate describes the fields in the schema.
func (c *CommandInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Stdin, "Text passed to the command on standard input.")
	a.Describe(&c.Logging, "Which of stdout and stderr reach the engine's log (default both); outputs are captured regardless.")
	a.Describe(&c.Connection, "How to connect to the host.")
	a.Describe(&c.Environment, "Variables sent as SSH environment requests: the run fails when the server refuses one (AcceptEnv).")
	a.Describe(&c.AddPreviousOutputInEnv, "Whether the previous stdout and stderr are sent as PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR environment requests (default true; a refusal only warns).")
}

// BaseOutputs are what a remote command printed.
type BaseOutputs = output.Outputs

// CommandOutputs are the resource's state.
type CommandOutputs struct {
	CommandInputs
	BaseOutputs
}

var (
	_ = (infer.CustomResource[CommandInputs, CommandOutputs])((*Command)(nil))
	_ = (infer.CustomUpdate[CommandInputs, CommandOutputs])((*Command)(nil))
	_ = (infer.CustomDelete[CommandOutputs])((*Command)(nil))
)

// Create runs create; a preview runs nothing.
func (*Command) Create(ctx context.Context, req infer.CreateRequest[CommandInputs]) (infer.CreateResponse[CommandOutputs], error) {
	state := CommandOutputs{CommandInputs: req.Inputs}
	id, err := resource.NewUniqueHex(req.Name, 8, 0)
	if err != nil || req.DryRun || req.Inputs.Create == nil {
		return infer.CreateResponse[CommandOutputs]{ID: id, Output: state}, err
	}
	err = state.run(ctx, *req.Inputs.Create)
	return infer.CreateResponse[CommandOutputs]{ID: id, Output: state}, err
}

// Update runs update, or create when update is unset, with the previous outputs at hand.
func (*Command) Update(ctx context.Context, req infer.UpdateRequest[CommandInputs, CommandOutputs]) (infer.UpdateResponse[CommandOutputs], error) {
	state := CommandOutputs{CommandInputs: req.Inputs, BaseOutputs: req.State.BaseOutputs}
	cmd := req.Inputs.UpdateCommand()
	if req.DryRun || cmd == nil {
		return infer.UpdateResponse[CommandOutputs]{Output: state}, nil
	}
	err := state.run(ctx, *cmd)
	return infer.UpdateResponse[CommandOutputs]{Output: state}, err
}

// Delete runs delete with the last outputs at hand.
func (*Command) Delete(ctx context.Context, req infer.DeleteRequest[CommandOutputs]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	state := req.State
	return infer.DeleteResponse{}, state.run(ctx, *state.Delete)
}
