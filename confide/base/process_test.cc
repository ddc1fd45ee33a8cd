#include "confide/base/process.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace confide {
namespace {

TEST(ProcessTest, DisablesCoreDumpsAndDumpability) {
  ASSERT_TRUE(DisableCoreDumps().ok());
  struct rlimit limit;
  ASSERT_EQ(::getrlimit(RLIMIT_CORE, &limit), 0);
  EXPECT_EQ(limit.rlim_cur, 0u);
  EXPECT_EQ(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

// Restores the signal mask and SIGHUP's disposition when a test ends.
class SignalState {
 public:
  SignalState() {
    pthread_sigmask(SIG_SETMASK, nullptr, &mask_);
    sigaction(SIGHUP, nullptr, &hup_);
  }
  ~SignalState() {
    pthread_sigmask(SIG_SETMASK, &mask_, nullptr);
    sigaction(SIGHUP, &hup_, nullptr);
  }

 private:
  sigset_t mask_;
  struct sigaction hup_;
};

bool Blocked(int sig) {
  sigset_t now;
  pthread_sigmask(SIG_SETMASK, nullptr, &now);
  return sigismember(&now, sig) == 1;
}

TEST(ProcessTest, BlocksTheStopSignalsForSigwait) {
  SignalState restore;
  signal(SIGHUP, SIG_DFL);
  sigset_t set = BlockStopSignals();
  for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGHUP}) {
    EXPECT_EQ(sigismember(&set, sig), 1) << sig;
    EXPECT_TRUE(Blocked(sig)) << sig;
  }
  EXPECT_EQ(sigismember(&set, SIGPIPE), 0);
}

// Under `nohup` SIGHUP is ignored; a blocked SIGHUP would still reach sigwait and stop the server
// when the terminal closes.
TEST(ProcessTest, LeavesAnIgnoredSighupIgnored) {
  SignalState restore;
  signal(SIGHUP, SIG_IGN);
  sigset_t set = BlockStopSignals();
  EXPECT_EQ(sigismember(&set, SIGHUP), 0);
  EXPECT_FALSE(Blocked(SIGHUP));
  EXPECT_EQ(sigismember(&set, SIGTERM), 1);
}

}  // namespace
}  // namespace confide
