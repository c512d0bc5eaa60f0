"""Rebuild data/speech_source.npz, speech_target.npz and speech_digits.npz (notebook 10).

Needs two Debian packages, only here (the notebook never calls them)::

    sudo apt-get install espeak-ng asterisk-core-sounds-en-wav
    python data/build_speech.py        # prints the sha256 of each file
    python data/build_speech.py speech_digits.npz   # only the named file(s)

Source: 35 words (none of them digits) spoken by espeak-ng in 8 accents x
14 voice variants with random speed and pitch, 48 clips per word, resampled
to 8 kHz, 1 s; a third clean, a third with white noise, a third with two
other synthetic clips as background babble (5-30 dB SNR); stored as uint8 log-mels.
Target: the ten Asterisk digit recordings (one real speaker, 8 kHz) and six
longer prompts of the same speaker used as babble noise at test time, int16.
Digits: the ten digits in 12 espeak-ng voice variants the source never uses
(en-us + adam, Alex, ... steph), random speed and pitch, int16 8 kHz: the few
labelled target clips; the real recordings above are only ever tested on.
The output is deterministic for a given espeak-ng / asterisk-sounds version.
"""
from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tlcourse import speech  # noqa: E402

ASTERISK = Path("/usr/share/asterisk/sounds/en")
SOURCE_WORDS = (
    "yes no up down left right on off stop go bed bird cat dog happy house "
    "marvin sheila tree wow backward forward follow learn visual red green "
    "blue black white water music hello thanks please").split()
ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan",
           "en-gb-x-gbcwmd", "en-029", "en-us-nyc"]
VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4",
            "f5", "klatt", "klatt2"]
PER_WORD = 48
DIGITS = ("zero one two three four five six seven eight nine").split()
#: espeak-ng variants the source never uses: the labelled target clips.
HELD_OUT_VARIANTS = ["adam", "Alex", "Andy", "Annie", "edward", "john", "linda", "max",
                     "Michael", "paul", "robert", "steph"]
BABBLE = ["conf-getpin", "vm-intro", "auth-thankyou", "pbx-invalid",
          "conf-onlyperson", "vm-theperson"]


def _read_wav(data: bytes | Path) -> tuple[np.ndarray, int]:
    f = io.BytesIO(data) if isinstance(data, bytes) else open(data, "rb")
    with wave.open(f) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), np.int16), w.getframerate()


def _trim(x: np.ndarray, rel: float = 0.02) -> np.ndarray:
    """Cut leading/trailing samples quieter than ``rel`` of the peak."""
    loud = np.flatnonzero(np.abs(x) > rel * np.abs(x).max())
    return x[loud[0]:loud[-1] + 1] if len(loud) else x


def espeak(word: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    out = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p",
                          str(pitch), "--stdout", word], check=True,
                         capture_output=True).stdout
    x, rate = _read_wav(out)
    assert rate == 22050, rate
    y = resample_poly(x.astype(np.float32), 160, 441)  # 22050 -> 8000 Hz
    y = _trim(y)
    y = speech._fit(y, speech.CLIP_SAMPLES)
    y = y / (np.abs(y).max() + 1e-9) * 0.5
    return y.astype(np.float32)


def build_source(rng: np.random.Generator):
    clean, labels, voices = [], [], []
    for label, word in enumerate(SOURCE_WORDS):
        for _ in range(PER_WORD):
            voice = f"{rng.choice(ACCENTS)}+{rng.choice(VARIANTS)}"
            speed, pitch = int(rng.integers(110, 210)), int(rng.integers(20, 85))
            clean.append(espeak(word, voice, speed, pitch))
            labels.append(label)
            voices.append(f"{voice}/s{speed}/p{pitch}")
    waves = []
    for i, y in enumerate(clean):
        kind = rng.integers(3)  # 0 clean, 1 white noise, 2 synthetic babble
        if kind:
            if kind == 1:
                noise = rng.normal(0, 1, y.shape)
            else:  # two other source clips, shifted, as background speech
                others = rng.choice(len(clean), 2, replace=False)
                noise = sum(np.roll(clean[j], rng.integers(-4000, 4000)) for j in others)
            snr = rng.uniform(5, 30)
            y = y + noise * np.sqrt(np.mean(y**2) / (np.mean(noise**2) + 1e-12) / 10**(snr / 10))
        y = y * 10 ** (rng.uniform(-6, 6) / 20)
        waves.append((np.clip(y, -1, 1) * 32767).astype(np.int16))
    waves = np.stack(waves)
    x = speech.quantise(speech.log_mel(waves))
    pick = [i * PER_WORD for i in range(6)]
    return dict(x=x, y=np.array(labels, np.uint8), words=np.array(SOURCE_WORDS),
                voices=np.array(voices), examples=waves[pick],
                example_labels=np.array(labels, np.uint8)[pick])


def build_digits(rng: np.random.Generator):
    """The ten digits in 12 espeak-ng voices the source never uses (en-us with
    a held-out variant, random speed and pitch): the few labelled target clips."""
    waves, labels, voices = [], [], []
    for variant in HELD_OUT_VARIANTS:
        for label, word in enumerate(DIGITS):
            speed, pitch = int(rng.integers(110, 210)), int(rng.integers(20, 85))
            y = espeak(word, f"en-us+{variant}", speed, pitch)
            waves.append((np.clip(y, -1, 1) * 32767).astype(np.int16))
            labels.append(label)
            voices.append(f"en-us+{variant}/s{speed}/p{pitch}")
    return dict(waves=np.stack(waves), y=np.array(labels, np.uint8),
                voices=np.array(voices), words=np.array(DIGITS))


def build_target():
    digits = []
    for d in range(10):
        x, rate = _read_wav(ASTERISK / "digits" / f"{d}.wav")
        assert rate == speech.SAMPLE_RATE
        digits.append(speech._fit(_trim(x), speech.CLIP_SAMPLES))
    babble = []
    for name in BABBLE:
        x, rate = _read_wav(ASTERISK / f"{name}.wav")
        assert rate == speech.SAMPLE_RATE
        babble.append(_trim(x))
    offsets = np.cumsum([0] + [len(b) for b in babble])
    return dict(waves=np.stack(digits), words=np.array(DIGITS),
                babble=np.concatenate(babble), babble_offsets=offsets,
                babble_names=np.array(BABBLE))


def main(names=()):
    builders = {"speech_source.npz": lambda: build_source(np.random.default_rng(0)),
                "speech_target.npz": build_target,
                "speech_digits.npz": lambda: build_digits(np.random.default_rng(1))}
    for name in names or builders:
        arrays = builders[name]()
        path = ROOT / "data" / name
        np.savez_compressed(path, **arrays)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{name}: {path.stat().st_size / 1e6:.2f} MB sha256 {digest}")


if __name__ == "__main__":
    main(sys.argv[1:])
