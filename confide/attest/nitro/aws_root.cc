// The AWS Nitro Enclaves Root-G1 certificate. Copied from ../shared/vectors/nitro/
// aws-nitro-root-g1.pem (root.pem of AWS_NitroEnclaves_Root-G1.zip, whose SHA-256 8cf60e2b…ff7c
// AWS publishes in aws-nitro-enclaves-nsm-api docs/attestation_process.md). Certificate SHA-256
// fingerprint 64:1A:03:21:…:8F:79:BB:5B. A public vendor certificate, not a secret.
#include "confide/attest/nitro/verify.h"

namespace confide::attest::nitro {
namespace {

constexpr std::string_view kAwsNitroRootG1 = R"PEM(-----BEGIN CERTIFICATE-----
MIICETCCAZagAwIBAgIRAPkxdWgbkK/hHUbMtOTn+FYwCgYIKoZIzj0EAwMwSTEL
MAkGA1UEBhMCVVMxDzANBgNVBAoMBkFtYXpvbjEMMAoGA1UECwwDQVdTMRswGQYD
VQQDDBJhd3Mubml0cm8tZW5jbGF2ZXMwHhcNMTkxMDI4MTMyODA1WhcNNDkxMDI4
MTQyODA1WjBJMQswCQYDVQQGEwJVUzEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQL
DANBV1MxGzAZBgNVBAMMEmF3cy5uaXRyby1lbmNsYXZlczB2MBAGByqGSM49AgEG
BSuBBAAiA2IABPwCVOumCMHzaHDimtqQvkY4MpJzbolL//Zy2YlES1BR5TSksfbb
48C8WBoyt7F2Bw7eEtaaP+ohG2bnUs990d0JX28TcPQXCEPZ3BABIeTPYwEoCWZE
h8l5YoQwTcU/9KNCMEAwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUkCW1DdkF
R+eWw5b6cp3PmanfS5YwDgYDVR0PAQH/BAQDAgGGMAoGCCqGSM49BAMDA2kAMGYC
MQCjfy+Rocm9Xue4YnwWmNJVA44fA0P5W2OpYow9OYCVRaEevL8uO1XYru5xtMPW
rfMCMQCi85sWBbJwKKXdS6BptQFuZbT73o/gBh1qUxl/nNr12UO8Yfwr6wPLb+6N
IwLz3/Y=
-----END CERTIFICATE-----)PEM";

}  // namespace

std::string_view AwsNitroRootPem() { return kAwsNitroRootG1; }

Result<crypto::Certificate> AwsNitroRoot() { return crypto::Certificate::FromPem(kAwsNitroRootG1); }

}  // namespace confide::attest::nitro
