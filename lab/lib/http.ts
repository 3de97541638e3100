// A small HTTP GET for the stats page, with an optional basic-auth password that never
// reaches a command line.
import * as http from "http";

export interface HttpResult {
    readonly status: number;
    readonly body: string;
}

export function httpGet(url: string, auth?: { user: string; password: string }, timeoutMs = 5000): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
        const headers: Record<string, string> = {};
        if (auth) headers.Authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString("base64")}`;
        // agent: false: a fresh connection each time; HAProxy closes after a 401, and a reused
        // keep-alive socket would then fail with "socket hang up".
        const req = http.get(url, { headers, timeout: timeoutMs, agent: false }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
        req.on("error", reject);
    });
}
