// Three extern "C" functions that let Fortran run a network compiled by AOTInductor.
//
// Fortran cannot call C++ (names are mangled, exceptions must not cross into Fortran), but it
// can call C functions through iso_c_binding. So the loader lives behind an opaque pointer:
//
//   void* l96_net_load(const char* package_path, char* message, int message_length);
//   int   l96_net_run(void* net, const double* x, double* u, int num_slow);
//   void  l96_net_free(void* net);
//
// Errors come back as a null pointer (with the message copied into the caller's buffer) or a
// non-zero status (with the message on standard error), never as a C++ exception.
#include <ATen/ops/from_blob.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/inductor/aoti_package/model_package_loader.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {
void copy_message(const std::string& text, char* buffer, int length) {
  if (buffer == nullptr || length <= 0) return;
  const auto count = std::min<std::size_t>(text.size(), static_cast<std::size_t>(length - 1));
  std::memcpy(buffer, text.data(), count);
  buffer[count] = '\0';
}
}  // namespace

extern "C" {

void* l96_net_load(const char* package_path, char* message, int message_length) {
  try {
    return new torch::inductor::AOTIModelPackageLoader(package_path);
  } catch (const std::exception& error) {
    copy_message(std::string("cannot load ") + package_path + ": " + error.what(), message,
                 message_length);
    return nullptr;
  }
}

// u = network(x) for one state x of num_slow values (float64 in, float64 out; the network
// itself runs in float32, as it was trained). Returns 0 on success.
int l96_net_run(void* net, const double* x, double* u, int num_slow) {
  try {
    c10::InferenceMode no_autograd;
    std::vector<float> input(x, x + num_slow);
    const at::Tensor state = at::from_blob(input.data(), {1, num_slow}, at::kFloat);
    auto* loader = static_cast<torch::inductor::AOTIModelPackageLoader*>(net);
    const at::Tensor output = loader->run({state})[0].contiguous();
    if (output.numel() != num_slow) return 2;
    const float* values = output.data_ptr<float>();
    std::copy(values, values + num_slow, u);
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "l96_net_run: " << error.what() << '\n';  // Fortran only sees the status
    return 1;
  }
}

void l96_net_free(void* net) {
  delete static_cast<torch::inductor::AOTIModelPackageLoader*>(net);
}

}  // extern "C"
