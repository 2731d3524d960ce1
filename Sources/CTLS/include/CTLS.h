#ifndef GAMMA_CTLS_H
#define GAMMA_CTLS_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

// Macros and variadic calls of OpenSSL that Swift cannot import, as functions.

static inline long ctls_set_sni(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

static inline int ctls_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

// The text of the oldest error on this thread's OpenSSL error queue (cleared), or "" if none.
static inline void ctls_last_error(char *buffer, size_t size) {
    unsigned long e = ERR_get_error();
    if (e == 0) { if (size > 0) buffer[0] = 0; return; }
    ERR_error_string_n(e, buffer, size);
    ERR_clear_error();
}

#endif
