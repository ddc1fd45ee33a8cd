#include "confide/base/listen_socket.h"

#include <sys/socket.h>

namespace confide {

void SetExclusiveListenOptions(int fd) {
  int yes = 1;
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

}  // namespace confide
