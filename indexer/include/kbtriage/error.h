// The exceptions of kbtriage. Bad input (an article, a query, a rule file) is
// never an exception: it is data, reported with its path and line. These are
// for a broken environment or store, caught by the front ends.
#pragma once

#include <stdexcept>
#include <string>

namespace kbtriage {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The store cannot be opened, read or written. what() is "PATH: reason".
class StoreError : public Error {
 public:
  using Error::Error;
};

// Another process holds the store's write lock.
class StoreLockedError : public StoreError {
 public:
  using StoreError::StoreError;
};

}  // namespace kbtriage
