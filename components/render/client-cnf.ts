// A client defaults file, so steps that run SQL never put a password on a command line.
import { optionFileValue } from "./escape";
import { RenderedFile } from "./file";

export const ROOT_CLIENT_CNF = "/etc/ha-mysql/root-client.cnf";

export function renderClientCnf(user: string, password: string, path = ROOT_CLIENT_CNF): RenderedFile {
    return { path, mode: "0600", content: `[client]\nuser=${user}\npassword=${optionFileValue(password)}\nprotocol=socket\n` };
}
