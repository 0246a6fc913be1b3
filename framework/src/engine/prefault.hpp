// Backing a range of fresh memory with pages before it is written. The first write to each 4 KiB
// page of a new allocation traps into the kernel, which zeroes and maps that one page; a
// network of 400 M synapses first-writes 3.3 GB that way, and where a trap is dear (a virtual
// machine) those traps cost as much as making the synapses. One request for a whole range maps
// the same pages in one go, with less kernel time (measured in bench/PROFILE.md).
#pragma once

namespace ganglion {

// Maps the whole pages inside [begin, end) now (Linux 5.14+, MADV_POPULATE_WRITE); elsewhere,
// or where the kernel refuses, nothing happens and the writes map the pages as usual. Only for
// memory about to be written in full: the pages count as used from here on.
void prefault(void *begin, void *end);

} // namespace ganglion
