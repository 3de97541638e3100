// Files travel to hosts as "path mode base64" lines on a step's stdin (WRITE_FILES reads them).
// A path may hold spaces: the mode and the content are the last two fields of a line.
import * as crypto from "crypto";
import { RenderedFile } from "../render/file";

export function filesPayload(files: ReadonlyArray<RenderedFile>): string {
    return files
        .map((f) => {
            if (!f.path.startsWith("/") || /[\n\r]/.test(f.path)) throw new Error(`file path ${JSON.stringify(f.path)} must be absolute and on one line`);
            if (!/^[0-7]{3,4}$/.test(f.mode)) throw new Error(`file ${f.path}: mode ${JSON.stringify(f.mode)} is not an octal mode`);
            return `${f.path} ${f.mode} ${Buffer.from(f.content).toString("base64")}\n`;
        })
        .join("");
}

export function sha256(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}
