# Makefile: the two commands. `make check` installs what a fresh Debian 12
# machine lacks, builds Release, runs every test, then builds the unit tests
# with AddressSanitizer/UBSan and runs them, then the MPI build's `retain`
# and its tests (label mpi) when mpicc and the Open MPI HDF5 are there.
# `make demo` runs the retention workflow on a generated purchase log
# (scripts/demo.sh). Everything else is CMake (CMakeLists.txt).
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
MPI_BUILD ?= build-mpi
JOBS ?= $(shell nproc)

.PHONY: all build check demo deps bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Debug -DRETAIN_SANITIZE=ON -DRETAIN_CUDA=OFF
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(JOBS) -L sanitize
	@if command -v mpicc >/dev/null && pkg-config --exists hdf5-openmpi; then \
	  cmake -S . -B $(MPI_BUILD) -DCMAKE_BUILD_TYPE=Release -DRETAIN_MPI=ON -DRETAIN_CUDA=OFF \
	    -DRETAIN_SERIAL_BINARY=$(abspath $(BUILD))/retain && \
	  cmake --build $(MPI_BUILD) -j $(JOBS) --target retain && \
	  cd $(MPI_BUILD) && ctest --output-on-failure -L mpi; \
	else \
	  echo "make check: SKIPPED the MPI build and its tests: no mpicc or pkg-config hdf5-openmpi" \
	       "(scripts/install-deps.sh installs libopenmpi-dev openmpi-bin libhdf5-openmpi-dev)"; \
	fi

demo: build
	scripts/demo.sh $(BUILD)/retain

bench: build
	@scripts/install-deps.sh --bench
	/usr/bin/python3 bench/run.py --retain $(BUILD)/retain

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(MPI_BUILD)
