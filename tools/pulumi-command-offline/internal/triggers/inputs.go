// Package triggers holds the inputs every command resource shares.
package triggers

import "github.com/pulumi/pulumi-go-provider/infer"

// ResourceInputs are the lifecycle commands and the triggers of a command resource.
//
// Triggers is marked replaceOnChanges, as in pulumi-command: the provider's Diff then marks a
// change of the whole property (absent <-> present) as a replacement, and the SDK's
// replaceOnChanges ["triggers[*]"] makes the engine replace on a change of any element.
type ResourceInputs struct {
	Triggers *[]any  `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Create   *string `pulumi:"create,optional"`
	Update   *string `pulumi:"update,optional"`
	Delete   *string `pulumi:"delete,optional"`
}

// Annotate describes the fields in the schema.
func (c *ResourceInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Triggers, "Values whose change replaces the resource (any element: the SDK sets replaceOnChanges triggers[*]).")
	a.Describe(&c.Create, "The command to run when the resource is created.")
	a.Describe(&c.Update, "The command to run when an input changes in place; create runs when it is unset.")
	a.Describe(&c.Delete, "The command to run when the resource is deleted or replaced.")
}

// UpdateCommand is what an in-place update runs: update, or create when update is unset
// (nil when neither is set).
func (c ResourceInputs) UpdateCommand() *string {
	if c.Update != nil {
		return c.Update
	}
	return c.Create
}
