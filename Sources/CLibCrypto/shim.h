// SHA-256 from the system's OpenSSL libcrypto (Debian: libssl-dev), through its EVP interface.
#include <openssl/evp.h>
