// What a renderer hands to a component: a file's place on the host or in the
// container, its mode, and its text. Components only copy these; they never edit them.
export interface RenderedFile {
    readonly path: string;
    readonly mode: string;
    readonly content: string;
}

export function file(path: string, content: string, mode = "0644"): RenderedFile {
    return { path, mode, content };
}

export function script(path: string, content: string): RenderedFile {
    return { path, mode: "0755", content };
}
