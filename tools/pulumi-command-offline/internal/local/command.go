package local

import (
	"context"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"ha-mysql-iac/pulumi-command-offline/internal/triggers"
)

// Command is command:local:Command.
type Command struct{}

// Annotate describes the resource in the schema.
func (c *Command) Annotate(a infer.Annotator) {
	a.Describe(&c, "A command run on the machine that runs Pulumi: create on creation, update (or create) on an in-place change, delete on deletion or replacement.")
}

// CommandInputs are the resource's inputs.
type CommandInputs struct {
	triggers.ResourceInputs
	BaseInputs
}

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
	err = run(ctx, *req.Inputs.Create, state.BaseInputs, &state.BaseOutputs)
	return infer.CreateResponse[CommandOutputs]{ID: id, Output: state}, err
}

// Update runs update, or create when update is unset, with the previous outputs at hand.
func (*Command) Update(ctx context.Context, req infer.UpdateRequest[CommandInputs, CommandOutputs]) (infer.UpdateResponse[CommandOutputs], error) {
	state := CommandOutputs{CommandInputs: req.Inputs, BaseOutputs: req.State.BaseOutputs}
	cmd := req.Inputs.UpdateCommand()
	if req.DryRun || cmd == nil {
		return infer.UpdateResponse[CommandOutputs]{Output: state}, nil
	}
	err := run(ctx, *cmd, state.BaseInputs, &state.BaseOutputs)
	return infer.UpdateResponse[CommandOutputs]{Output: state}, err
}

// Delete runs delete with the last outputs at hand.
func (*Command) Delete(ctx context.Context, req infer.DeleteRequest[CommandOutputs]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	state := req.State
	return infer.DeleteResponse{}, run(ctx, *state.Delete, state.BaseInputs, &state.BaseOutputs)
}
