"""One device resolver for every backend: ``cpu``, ``cuda`` or ``cuda:N``, the index kept."""

from __future__ import annotations

from ..errors import BackendNotAvailableError


def resolve_device(requested: str | None, cuda_devices: int) -> tuple[str, int]:
    """``(kind, index)`` for a device setting, given how many CUDA devices this machine has.

    None means CUDA device 0 when there is one, else the CPU.

    Raises:
        BackendNotAvailableError: an unknown device, or a CUDA device this machine does not have.
    """
    if not requested:
        return ("cuda", 0) if cuda_devices > 0 else ("cpu", 0)
    kind, _, index = requested.strip().lower().partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
        raise BackendNotAvailableError(f"Unknown device {requested!r}; use cpu, cuda or cuda:N (BILINGUAL_DEVICE).")
    number = int(index or 0)
    if kind == "cuda" and number >= cuda_devices:
        raise BackendNotAvailableError(
            f"Device {requested!r} is not available: this machine has {cuda_devices} CUDA device(s). "
            "Set BILINGUAL_DEVICE=cpu, or another device."
        )
    return kind, number
