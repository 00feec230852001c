#ifndef LEADLINE_COPENSSL_SHIM_H
#define LEADLINE_COPENSSL_SHIM_H
// OpenSSL 3, as shipped by the system (Debian and Ubuntu: apt install libssl-dev).
#if !__has_include(<openssl/ssl.h>)
#error "OpenSSL's headers are missing: install them (Debian and Ubuntu: apt install libssl-dev), then build again"
#endif
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <openssl/bio.h>

// Macros over SSL_CTX_ctrl and friends, which Swift cannot call: small functions instead.
static inline int leadline_ctx_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}
static inline int leadline_set_sni(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
static inline long leadline_ctx_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}
static inline long leadline_mode_partial_write(void) {
    return SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS;
}
static inline size_t leadline_bio_pending(BIO *bio) {
    return BIO_ctrl_pending(bio);
}
static inline int leadline_bio_set_mem_eof_return(BIO *bio, int v) {
    return (int)BIO_set_mem_eof_return(bio, v);
}
static inline uint64_t leadline_ctx_no_renegotiation(SSL_CTX *ctx) {
    return SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
}
// EVP_EC_gen is a variadic macro: a P-256 key, made here.
static inline EVP_PKEY *leadline_ec_p256_key(void) {
    return EVP_EC_gen("P-256");
}
// An X.509 v3 extension from its text form ("DNS:shop.example.com,IP:10.0.0.5",
// "critical,CA:TRUE"), for `cert` as signed by `issuer`.
static inline X509_EXTENSION *leadline_x509_extension(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    return X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
}
#endif
