/* Ports for the tests' servers (testport.h). */
#include "testport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* eight slots from 10000 to 19999: under guichetd's RTP ports (20000 to
 * 40000, src/channel/voice/voice.c) and the kernel's ephemeral ones (32768 and
 * up), over SIPp's own defaults (5060, 6000, 8000 and up) */
#define FIRST_PORT 10000
#define SLOT_PORTS 1248
#define MAX_SLOT 7
/* a port given out holds a block of STRIDE: SIPp binds its media port's next
 * ones too (RTCP, and video at media + 2) */
#define STRIDE 8
#define CHECKED 6

/* Whether port can be bound now on 127.0.0.1 with type (SOCK_STREAM...). */
static bool bindable(int type, int port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
  if (fd >= 0)
    close(fd);
  return ok;
}

int testport_free(void) {
  static int next = -1; /* offset in the slot's range of the next port to try */
  const char *env = getenv("GUICHET_TEST_SLOT");
  int slot = env ? atoi(env) : 0;
  if (slot < 0 || slot > MAX_SLOT)
    slot = 0;
  int base = FIRST_PORT + slot * SLOT_PORTS;
  if (next < 0)
    next = (int)(getpid() % (SLOT_PORTS / STRIDE)) *
           STRIDE; /* a program run twice starts elsewhere */
  for (int tries = 0; tries < SLOT_PORTS / STRIDE; tries++) {
    int port = base + next;
    next = (next + STRIDE) % SLOT_PORTS;
    bool free = bindable(SOCK_STREAM, port);
    for (int i = 0; free && i < CHECKED; i++)
      free = bindable(SOCK_DGRAM, port + i);
    if (free)
      return port;
  }
  return -1;
}
