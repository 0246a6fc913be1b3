// How a hook reports failure: it throws ganglion::Failure (or ganglion::Diverged, where the numbers
// blew up); the C tables (tables.hpp) turn the exception into a gg_status and a message, so no
// exception crosses the C boundary.
#ifndef GANGLION_SDK_ERRORS_HPP
#define GANGLION_SDK_ERRORS_HPP

#include <stdexcept>

namespace ganglion {

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Diverged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

} // namespace ganglion

#endif
