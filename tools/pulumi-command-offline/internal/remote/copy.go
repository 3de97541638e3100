package remote

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/sftp"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/infer/types"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// CopyToRemote is command:remote:CopyToRemote: it copies an asset or archive over SFTP.
type CopyToRemote struct{}

// Annotate describes the resource in the schema.
func (c *CopyToRemote) Annotate(a infer.Annotator) {
	a.Describe(&c, "Copies a file asset, a text asset or a directory archive to a host over SFTP. Deleting it leaves the copy in place.")
}

// CopyToRemoteInputs are the resource's inputs.
type CopyToRemoteInputs struct {
	Connection *Connection          `pulumi:"connection"        provider:"secret"`
	Triggers   *[]any               `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Source     types.AssetOrArchive `pulumi:"source"`
	RemotePath string               `pulumi:"remotePath"`
}

// Annotate describes the fields in the schema.
func (c *CopyToRemoteInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Connection, "How to connect to the host.")
	a.Describe(&c.Triggers, "Values whose change replaces the resource.")
	a.Describe(&c.Source, "A FileAsset, StringAsset or a FileArchive of a directory, copied as is.")
	a.Describe(&c.RemotePath, "The destination; parents are created. An existing directory receives the source inside it.")
}

// CopyToRemoteOutputs are the resource's state.
type CopyToRemoteOutputs struct{ CopyToRemoteInputs }

var (
	_ = (infer.CustomResource[CopyToRemoteInputs, CopyToRemoteOutputs])((*CopyToRemote)(nil))
	_ = (infer.CustomCheck[CopyToRemoteInputs])((*CopyToRemote)(nil))
	_ = (infer.CustomUpdate[CopyToRemoteInputs, CopyToRemoteOutputs])((*CopyToRemote)(nil))
)

// Check requires exactly one of a path or text asset, or a path archive.
func (*CopyToRemote) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[CopyToRemoteInputs], error) {
	in, failures, err := infer.DefaultCheck[CopyToRemoteInputs](ctx, req.NewInputs)
	if err != nil {
		return infer.CheckResponse[CopyToRemoteInputs]{Inputs: in, Failures: failures}, err
	}
	asset, archive := in.Source.Asset, in.Source.Archive
	fail := func(prop, reason string) { failures = append(failures, p.CheckFailure{Property: prop, Reason: reason}) }
	switch {
	case asset != nil && archive != nil:
		fail("asset", "only one of asset or archive can be set")
	case asset == nil && archive == nil:
		fail("asset", "either asset or archive must be set")
	case asset != nil && !asset.IsPath() && !asset.IsText():
		fail("asset", "asset must be a path-based file asset or a text asset")
	case archive != nil && !archive.IsPath():
		fail("archive", "archive must be a path to a file or directory")
	}
	return infer.CheckResponse[CopyToRemoteInputs]{Inputs: in, Failures: failures}, nil
}

// Create copies the source.
func (*CopyToRemote) Create(ctx context.Context, req infer.CreateRequest[CopyToRemoteInputs]) (infer.CreateResponse[CopyToRemoteOutputs], error) {
	out := CopyToRemoteOutputs{req.Inputs}
	if req.DryRun {
		return infer.CreateResponse[CopyToRemoteOutputs]{Output: out}, nil
	}
	if err := req.Inputs.copy(ctx); err != nil {
		return infer.CreateResponse[CopyToRemoteOutputs]{Output: out}, err
	}
	id, err := resource.NewUniqueHex("", 8, 0)
	return infer.CreateResponse[CopyToRemoteOutputs]{ID: id, Output: out}, err
}

// Update copies again only when the source's content or the destination changed.
func (*CopyToRemote) Update(ctx context.Context, req infer.UpdateRequest[CopyToRemoteInputs, CopyToRemoteOutputs]) (infer.UpdateResponse[CopyToRemoteOutputs], error) {
	out := CopyToRemoteOutputs{req.Inputs}
	if req.DryRun || (req.Inputs.hash() == req.State.hash() && req.Inputs.RemotePath == req.State.RemotePath) {
		return infer.UpdateResponse[CopyToRemoteOutputs]{Output: out}, nil
	}
	return infer.UpdateResponse[CopyToRemoteOutputs]{Output: out}, req.Inputs.copy(ctx)
}

func (c *CopyToRemoteInputs) hash() string {
	if c.Source.Archive != nil {
		return c.Source.Archive.Hash
	}
	if c.Source.Asset != nil {
		return c.Source.Asset.Hash
	}
	return ""
}

func (c *CopyToRemoteInputs) copy(ctx context.Context) error {
	return withSFTP(ctx, c.Connection, func(s *sftp.Client) error {
		if a := c.Source.Asset; a != nil && a.IsText() {
			return writeText(s, a.Text, c.RemotePath)
		}
		src := ""
		if c.Source.Asset != nil {
			src = c.Source.Asset.Path
		} else {
			src = c.Source.Archive.Path
		}
		return copyPath(s, src, c.RemotePath)
	})
}

// CopyFile is the deprecated command:remote:CopyFile: every change replaces it.
type CopyFile struct{}

// Annotate describes the resource in the schema.
func (c *CopyFile) Annotate(a infer.Annotator) {
	a.Describe(&c, "Copies a local file to a host over SFTP (deprecated: use CopyToRemote).")
	a.Deprecate(&c, "This resource is deprecated. Use CopyToRemote instead.")
}

// CopyFileInputs are the resource's inputs.
type CopyFileInputs struct {
	Connection *Connection `pulumi:"connection"        provider:"secret"`
	Triggers   *[]any      `pulumi:"triggers,optional"`
	LocalPath  string      `pulumi:"localPath"`
	RemotePath string      `pulumi:"remotePath"`
}

// Annotate describes the fields in the schema.
func (c *CopyFileInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Connection, "How to connect to the host.")
	a.Describe(&c.Triggers, "Values whose change replaces the resource.")
	a.Describe(&c.LocalPath, "The file to copy.")
	a.Describe(&c.RemotePath, "The destination path.")
}

// CopyFileOutputs are the resource's state.
type CopyFileOutputs struct{ CopyFileInputs }

var _ = (infer.CustomResource[CopyFileInputs, CopyFileOutputs])((*CopyFile)(nil))

// Create copies the file.
func (*CopyFile) Create(ctx context.Context, req infer.CreateRequest[CopyFileInputs]) (infer.CreateResponse[CopyFileOutputs], error) {
	out := CopyFileOutputs{req.Inputs}
	if req.DryRun {
		return infer.CreateResponse[CopyFileOutputs]{Output: out}, nil
	}
	err := withSFTP(ctx, req.Inputs.Connection, func(s *sftp.Client) error {
		return copyPath(s, req.Inputs.LocalPath, req.Inputs.RemotePath)
	})
	if err != nil {
		return infer.CreateResponse[CopyFileOutputs]{Output: out}, err
	}
	id, err := resource.NewUniqueHex(req.Inputs.LocalPath+req.Inputs.RemotePath, 8, 0)
	return infer.CreateResponse[CopyFileOutputs]{ID: id, Output: out}, err
}

func withSFTP(ctx context.Context, conn *Connection, f func(*sftp.Client) error) error {
	client, err := conn.Dial(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = client.Close() }()
	s, err := sftp.NewClient(client, sftp.UseConcurrentWrites(true))
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	return f(s)
}

func stat(s *sftp.Client, path string) (fs.FileInfo, error) {
	info, err := s.Stat(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("failed to stat remote path %s: %w", path, err)
	}
	return info, nil
}

func writeText(s *sftp.Client, text, dest string) error {
	info, err := stat(s, dest)
	if err != nil {
		return err
	}
	if info != nil && info.IsDir() {
		return fmt.Errorf("remote path %s is a directory; when using a text asset, remotePath must be a file path", dest)
	}
	if err := s.MkdirAll(filepath.Dir(dest)); err != nil {
		return fmt.Errorf("failed to create parent directories for %s: %w", dest, err)
	}
	f, err := s.Create(dest)
	if err != nil {
		return fmt.Errorf("failed to create remote file %s: %w", dest, err)
	}
	defer func() { _ = f.Close() }()
	if _, err := f.Write([]byte(text)); err != nil {
		return fmt.Errorf("failed to write text content to remote path %s: %w", dest, err)
	}
	return nil
}

// copyPath copies a file or a directory tree. An existing remote directory receives the source
// inside it; a directory source without a trailing slash is copied as a directory of its name.
func copyPath(s *sftp.Client, src, dest string) error {
	local, err := os.Stat(src)
	if err != nil {
		return err
	}
	info, err := stat(s, dest)
	if err != nil {
		return err
	}
	if !local.IsDir() {
		if info != nil && info.IsDir() {
			dest = filepath.Join(dest, filepath.Base(src))
		} else if info == nil {
			if err := s.MkdirAll(filepath.Dir(dest)); err != nil {
				return fmt.Errorf("failed to create parent directories for %s: %w", dest, err)
			}
		}
		return copyFile(s, src, dest)
	}
	if info == nil {
		if err := s.MkdirAll(dest); err != nil {
			return fmt.Errorf("failed to create remote directory %s: %w", dest, err)
		}
	}
	if !strings.HasSuffix(src, "/") {
		dest = filepath.Join(dest, filepath.Base(src))
	}
	return fs.WalkDir(os.DirFS(src), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dest, rel)
		if !d.IsDir() {
			return copyFile(s, filepath.Join(src, rel), target)
		}
		di, err := stat(s, target)
		if err != nil {
			return err
		}
		if di == nil {
			return s.MkdirAll(target)
		}
		if !di.IsDir() {
			return fmt.Errorf("remote path %s exists but is not a directory", target)
		}
		return nil
	})
}

func copyFile(s *sftp.Client, src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := s.Create(dest)
	if err != nil {
		return fmt.Errorf("failed to create remote file %s: %w", dest, err)
	}
	defer func() { _ = out.Close() }()
	if _, err := out.ReadFrom(in); err != nil {
		return fmt.Errorf("failed to copy file %s to remote path %s: %w", src, dest, err)
	}
	return nil
}
