"""tlcourse.speech: committed arrays load and are verified, the front end has
the documented shape, quantisation round-trips, perturbations do what they say."""
import numpy as np
import pytest

from tlcourse import speech


def test_committed_files_match_their_pinned_sha256():
    src = speech.load_source()
    assert src.x.dtype == np.uint8 and src.x.shape[1:] == (61, 32)
    assert len(src.words) == 35 and set(np.unique(src.y)) == set(range(35))
    assert not set(src.words) & {"zero", "one", "two", "three", "four",
                                 "five", "six", "seven", "eight", "nine"}
    assert src.examples.dtype == np.int16 and src.examples.shape[1] == 8000
    tgt = speech.load_target()
    assert tgt.waves.shape == (10, 8000) and tgt.waves.dtype == np.int16
    assert tgt.words[7] == "seven" and len(tgt.babble) >= 3


def test_tampered_file_is_refused(tmp_path):
    data = (speech.DATA_DIR / "speech_target.npz").read_bytes()
    (tmp_path / "speech_target.npz").write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(ValueError, match="sha256"):
        speech.load_target(tmp_path)
    with pytest.raises(FileNotFoundError):
        speech.load_source(tmp_path)


def test_log_mel_shape_and_tone_lands_in_the_right_band():
    t = np.arange(8000) / 8000
    low = (0.5 * np.sin(2 * np.pi * 300 * t) * 32767).astype(np.int16)
    high = (0.5 * np.sin(2 * np.pi * 3000 * t) * 32767).astype(np.int16)
    m = speech.log_mel(np.stack([low, high]))
    assert m.shape == (2, 61, 32) and m.dtype == np.float32
    assert m[0].mean(0).argmax() < m[1].mean(0).argmax()
    assert speech.log_mel(low).shape == (61, 32)


def test_quantise_round_trip_within_half_a_step():
    x = np.linspace(*speech.LOG_MEL_RANGE, 1000).astype(np.float32)
    step = (speech.LOG_MEL_RANGE[1] - speech.LOG_MEL_RANGE[0]) / 255
    assert np.abs(speech.dequantise(speech.quantise(x)) - x).max() <= step / 2 + 1e-5
    assert speech.quantise([-100.0, 100.0]).tolist() == [0, 255]


def test_perturb_speed_shift_and_snr():
    rng = np.random.default_rng(0)
    wave = np.zeros(8000, np.int16)
    wave[3000:5000] = 10000
    fast = speech.perturb(wave, rng, speed=2.0)
    assert fast.shape == (8000,) and (fast > 0).sum() == pytest.approx(1000, abs=5)
    shifted = speech.perturb(wave, rng, shift=800)
    assert shifted[3800] > 0 and shifted[3000] == 0
    noise = rng.normal(0, 1000, 20000).astype(np.int16)
    noisy = speech.perturb(wave, rng, noise=noise, snr_db=0.0).astype(float)
    added = noisy - wave
    snr = 10 * np.log10(np.mean(wave.astype(float) ** 2) / np.mean(added ** 2))
    assert abs(snr) < 0.5


def test_perturbed_set_labels_and_determinism():
    waves = speech.load_target().waves[:3]
    x1, y1 = speech.perturbed_set(waves, 4, seed=3, speed=(0.9, 1.1), shift_ms=50)
    x2, _ = speech.perturbed_set(waves, 4, seed=3, speed=(0.9, 1.1), shift_ms=50)
    assert x1.shape == (12, 8000) and y1.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert np.array_equal(x1, x2)


def test_play_and_show_log_mels_return_displayable_objects():
    tgt = speech.load_target()
    assert "audio/wav" in speech.play(tgt.waves[0])._repr_html_()
    fig = speech.show_log_mels(speech.log_mel(tgt.waves[:3]), tgt.words[:3], ncols=3)
    assert len([a for a in fig.axes if a.images]) == 3


@pytest.fixture(scope="module")
def whisper():
    """Whisper tiny.en from the asset cache (``make setup`` fetches it), built once."""
    return speech.whisper_tiny_en()


def test_read_ctranslate2_gives_named_arrays_and_aliases():
    from tlcourse import assets
    weights = speech.read_ctranslate2(assets.path("whisper_tiny_en") / "model.bin")
    assert weights["encoder/conv1/weight"].shape == (384, 80, 3)
    assert weights["decoder/projection/weight"] is weights["decoder/embeddings/weight"]


def test_whisper_encoder_matches_the_backbone_and_pools_to_384(whisper):
    feats = speech.whisper_log_mels(speech.load_target().waves[:2])
    assert feats.shape == (2, 100, 80) and feats.dtype == np.float32
    encoder = speech.whisper_encoder(whisper)
    got = np.asarray(encoder(feats))
    assert got.shape == (2, 50, 384)
    full = whisper({"encoder_features": feats,
                    "decoder_token_ids": np.array([[speech.WHISPER_SOT]] * 2),
                    "decoder_padding_mask": np.ones((2, 1))})
    np.testing.assert_allclose(got, np.asarray(full["encoder_sequence_output"]), atol=1e-4)
    # the encoder shares the backbone's weights (no copy): freezing it freezes them
    assert {id(v) for v in encoder.weights} <= {id(v) for v in whisper.weights}


def test_whisper_transcribes_real_digits(whisper):
    waves = speech.load_target().waves
    assert speech.whisper_transcribe(whisper, waves[7]).strip(" .") == "7"
    assert speech.whisper_transcribe(whisper, waves[3]).strip(" .") == "3"


def test_whisper_refuses_a_tampered_model(tmp_path, monkeypatch):
    from tlcourse import assets
    src = assets.path("whisper_tiny_en")
    bad = tmp_path / "whisper_tiny_en"
    bad.mkdir()
    for name in assets.REGISTRY["whisper_tiny_en"].files:
        (bad / name).symlink_to(src / name)
    (bad / "model.bin").unlink()
    (bad / "model.bin").write_bytes((src / "model.bin").read_bytes()[:1000])
    monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path))
    with pytest.raises(assets.AssetHashError, match="corrupt or has been tampered"):
        speech.whisper_tiny_en()


def test_synthetic_digits_are_the_held_out_voices():
    digits = speech.load_synthetic_digits()
    assert digits.waves.shape == (120, speech.CLIP_SAMPLES) and digits.waves.dtype == np.int16
    assert list(np.bincount(digits.y)) == [12] * 10
    assert digits.words == speech.load_target().words
    source_variants = {v.split("+")[1].split("/")[0] for v in speech.load_source().voices}
    target_variants = {v.split("+")[1].split("/")[0] for v in digits.voices}
    assert len(target_variants) == 12 and not target_variants & source_variants


def test_whisper_digit_tokens_spell_the_digits():
    from tlcourse import assets
    vocab = (assets.path("whisper_tiny_en") / "vocabulary.txt").read_text("utf-8").split("\n")
    for digit, (figure, word, capital) in enumerate(speech.WHISPER_DIGIT_TOKENS):
        name = speech.load_target().words[digit]
        assert [vocab[figure], vocab[word], vocab[capital]] == [
            f"Ġ{digit}", f"Ġ{name}", f"Ġ{name.capitalize()}"]


def test_whisper_zero_shot_recognises_the_clean_real_digits(whisper):
    waves = speech.load_target().waves
    preds = speech.whisper_zero_shot_digits(whisper, speech.whisper_log_mels(waves), batch_size=4)
    assert preds.shape == (10,) and np.mean(preds == np.arange(10)) >= 0.9
