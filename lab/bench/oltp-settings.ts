// The bench's OLTP load: threads of read-write transactions on shared rows, and how long it runs per endpoint.
export const OLTP_THREADS = 4;
export const OLTP_SECONDS = 60;
