// The runtime shared-library closure of an executable, as the dynamic loader resolves it here
// (`ldd`), split into what a bundle carries and what it leaves to the target system.
//
// Left out: the C runtime family (the loader, libc, libm, libpthread, libdl, librt, libresolv,
// libutil, libanl, libnss_*) and the vDSO. They must match the loader of the system that runs
// the bundle (a confidential VM's distribution, Gramine's own patched glibc in
// {{ gramine.runtimedir() }}, the Nitro enclave image's base), so carrying ours would break
// more than it fixes. Everything else (libstdc++, libgcc_s, OpenSSL, ...) is bundled.
//
//   CONFIDE_ASSIGN_OR_RETURN(std::string out, RunAndCapture({"ldd", exe}));
//   CONFIDE_ASSIGN_OR_RETURN(LibraryClosure c, ParseLddOutput(out));
#ifndef CONFIDE_APPS_CONFIDE_BUNDLE_CLOSURE_H_
#define CONFIDE_APPS_CONFIDE_BUNDLE_CLOSURE_H_

#include <string>
#include <string_view>
#include <vector>

#include "confide/base/result.h"

namespace confide::cli {

struct SharedLibrary {
  std::string soname;  // the name the executable asks for (libssl.so.3)
  std::string path;    // where the loader found it (/lib/x86_64-linux-gnu/libssl.so.3)
};

struct LibraryClosure {
  std::vector<SharedLibrary> bundled;  // in ldd's order
  std::vector<std::string> system;     // sonames left to the target system
};

// True for the C runtime family and the vDSO (see the file comment).
bool IsSystemLibrary(std::string_view soname);

// Parses `ldd` output ("\tNAME => PATH (0xADDR)", "\tPATH (0xADDR)", "\tlinux-vdso.so.1 (...)").
// kNotFound naming the library if a line says "not found"; kMalformed for a line it does not
// understand (so an unexpected ldd never yields a silently incomplete bundle).
Result<LibraryClosure> ParseLddOutput(std::string_view text);

// Runs argv[0] (looked up in PATH) with stdin from /dev/null and returns its standard output
// (at most 16 MiB). kUnavailable if it cannot start or exits non-zero (with its stderr, up to
// 4 KiB, in the message).
Result<std::string> RunAndCapture(const std::vector<std::string>& argv);

}  // namespace confide::cli

#endif  // CONFIDE_APPS_CONFIDE_BUNDLE_CLOSURE_H_
