// Where a database server finds the stack's TLS files: one host directory per server,
// bind-mounted read-only into its container.

/** Host directory holding one subdirectory per database server. */
export const TLS_HOST_DIR = "/etc/ha-mysql/tls";
/** Where a server's directory appears inside its container. */
export const TLS_DIR = "/etc/mysql/ha-tls";
export const TLS_CA = `${TLS_DIR}/ca.pem`;
export const TLS_CERT = `${TLS_DIR}/server-cert.pem`;
export const TLS_KEY = `${TLS_DIR}/server-key.pem`;
