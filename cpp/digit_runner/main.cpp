// digit_runner: classify handwritten digits with an AOTInductor package, without Python.
//
//   digit_runner MODEL.pt2 IMAGES.npy SCORES.npy [REPEATS]
//
// MODEL.pt2   a package written by torch._inductor.aoti_compile_and_package
// IMAGES.npy  float32 images of shape (N, 1, 28, 28), values in [0, 1] (np.save writes it)
// SCORES.npy  written here: the model's float32 scores (logits), shape (N, 10)
// REPEATS     optional: time this many more runs, on the first image alone and on the whole
//             batch, and print the median time of each
//
// It prints one line per image with the predicted digit. Errors go to stderr with a hint,
// and the exit status is 1.
#include <ATen/ops/from_blob.h>
#include <c10/core/InferenceMode.h>
#include <c10/util/Exception.h>
#include <torch/csrc/inductor/aoti_package/model_package_loader.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr int64_t kChannels = 1;
constexpr int64_t kHeight = 28;
constexpr int64_t kWidth = 28;
constexpr char kMagic[] = "\x93NUMPY";

std::string shape_to_string(const std::vector<int64_t>& shape) {
  std::ostringstream text;
  text << "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    text << (i ? ", " : "") << shape[i];
  }
  text << (shape.size() == 1 ? ",)" : ")");
  return text.str();
}

// The value of `key` in a .npy header such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 28, 28), }
std::string header_value(const std::string& header, const std::string& key) {
  const auto start = header.find("'" + key + "':");
  if (start == std::string::npos) {
    throw std::runtime_error("the .npy header has no '" + key + "': " + header);
  }
  auto begin = header.find_first_not_of(' ', start + key.size() + 3);
  const char first = header[begin];
  const auto end = first == '(' ? header.find(')', begin) + 1
                   : first == '\'' ? header.find('\'', begin + 1) + 1
                                   : header.find_first_of(",}", begin);
  return header.substr(begin, end - begin);
}

// Read a float32 array from a .npy file (format versions 1 to 3, C order).
std::vector<float> read_npy(const std::string& path, std::vector<int64_t>& shape) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw std::runtime_error("cannot open " + path + "; check the path.");
  }
  char magic[6];
  unsigned char version[2];
  file.read(magic, 6);
  file.read(reinterpret_cast<char*>(version), 2);
  if (!file || std::memcmp(magic, kMagic, 6) != 0) {
    throw std::runtime_error(path + " is not a .npy file. Hint: write it with np.save.");
  }
  uint32_t header_length = 0;
  if (version[0] == 1) {
    unsigned char length[2];
    file.read(reinterpret_cast<char*>(length), 2);
    header_length = length[0] | (length[1] << 8);
  } else {
    unsigned char length[4];
    file.read(reinterpret_cast<char*>(length), 4);
    header_length = length[0] | (length[1] << 8) | (length[2] << 16) | (length[3] << 24);
  }
  std::string header(header_length, ' ');
  file.read(header.data(), header_length);

  const auto dtype = header_value(header, "descr");
  if (dtype != "'<f4'") {
    throw std::runtime_error(
        path + " holds " + dtype + " values; the model needs float32 ('<f4'). Hint: save "
        "images.astype(np.float32), with uint8 pixels divided by 255 first.");
  }
  if (header_value(header, "fortran_order") != "False") {
    throw std::runtime_error(path + " is in Fortran order. Hint: np.ascontiguousarray first.");
  }
  shape.clear();
  std::istringstream dims(header_value(header, "shape").substr(1));
  int64_t dim = 0;
  while (dims >> dim) {
    shape.push_back(dim);
    dims.ignore(1);  // the comma
  }
  int64_t count = 1;
  for (const auto d : shape) {
    count *= d;
  }
  std::vector<float> values(count);
  file.read(reinterpret_cast<char*>(values.data()), count * sizeof(float));
  if (!file) {
    throw std::runtime_error(path + " is shorter than its header says.");
  }
  return values;
}

// Write a 2-D float32 array as a .npy file (format version 1).
void write_npy(const std::string& path, const float* values, int64_t rows, int64_t columns) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(rows) + ", " + std::to_string(columns) + "), }";
  // Pad with spaces so that the data start at a multiple of 64 bytes, then a newline.
  while ((10 + header.size() + 1) % 64 != 0) {
    header += ' ';
  }
  header += '\n';
  std::ofstream file(path, std::ios::binary);
  if (!file) {
    throw std::runtime_error("cannot write " + path + "; does its folder exist?");
  }
  const uint16_t length = static_cast<uint16_t>(header.size());
  const char version[2] = {1, 0};
  const char length_bytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
  file.write(kMagic, 6).write(version, 2).write(length_bytes, 2);
  file.write(header.data(), header.size());
  file.write(reinterpret_cast<const char*>(values), rows * columns * sizeof(float));
}

// The median time of `repeats` runs of the model on `batch`, in milliseconds.
double median_milliseconds(torch::inductor::AOTIModelPackageLoader& loader,
                           const at::Tensor& batch, int repeats) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    loader.run({batch});
    const std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - start;
    times.push_back(elapsed.count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// REPEATS as a number: a whole number from 0 to 1,000,000, or an error that names it.
int parse_repeats(const std::string& text) {
  size_t used = 0;
  long value = -1;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < 0 || value > 1000000) {
    throw std::runtime_error("REPEATS should be a whole number from 0 to 1000000, got '" + text +
                             "'.");
  }
  return static_cast<int>(value);
}

}  // namespace

int main(int argc, char* argv[]) {
  if (argc < 4 || argc > 5) {
    std::cerr << "usage: " << argv[0] << " MODEL.pt2 IMAGES.npy SCORES.npy [REPEATS]\n";
    return 1;
  }
  try {
    std::vector<int64_t> shape;
    std::vector<float> images = read_npy(argv[2], shape);
    if (shape.size() != 4 || shape[1] != kChannels || shape[2] != kHeight ||
        shape[3] != kWidth) {
      throw std::runtime_error(
          std::string(argv[2]) + " has shape " + shape_to_string(shape) +
          "; the model needs (N, 1, 28, 28). Hint: a single image needs a batch and a "
          "channel axis, image[None, None].");
    }
    if (shape[0] < 1) {
      throw std::runtime_error(std::string(argv[2]) + " holds no images (shape " +
                               shape_to_string(shape) + "); save at least one.");
    }
    const int repeats = argc == 5 ? parse_repeats(argv[4]) : 0;

    if (!std::ifstream(argv[1])) {
      throw std::runtime_error(std::string("cannot open ") + argv[1] +
                               "; write it with torch._inductor.aoti_compile_and_package.");
    }
    c10::InferenceMode no_autograd;  // inference only: no gradient bookkeeping
    torch::inductor::AOTIModelPackageLoader loader(argv[1]);
    // A tensor that views the vector's memory (no copy), shape (N, 1, 28, 28).
    const at::Tensor batch = at::from_blob(images.data(), shape, at::kFloat);
    at::Tensor scores = loader.run({batch})[0].contiguous();  // also the warm-up run
    write_npy(argv[3], scores.const_data_ptr<float>(), scores.size(0), scores.size(1));
    const at::Tensor digits = scores.argmax(1);
    for (int64_t i = 0; i < digits.size(0); ++i) {
      std::cout << "image " << i << ": digit " << digits[i].item<int64_t>() << "\n";
    }
    if (repeats > 0) {
      const at::Tensor one_image = batch.slice(0, 0, 1);
      loader.run({one_image});  // warm-up for this shape
      std::cout << "median time, batch of 1: " << median_milliseconds(loader, one_image, repeats)
                << " ms\n";
      std::cout << "median time, batch of " << shape[0] << ": "
                << median_milliseconds(loader, batch, repeats) << " ms\n";
    }
  } catch (const c10::Error& error) {  // from PyTorch: its message without the C++ backtrace
    std::cerr << "digit_runner: " << error.what_without_backtrace() << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "digit_runner: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
