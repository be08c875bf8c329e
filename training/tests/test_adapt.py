import pytest
import numpy as np
import torch

from bgmatte_train.adapt import generator_losses
from bgmatte_train.data.real_video import RealSampler
from bgmatte_train.losses import discriminator_loss
from bgmatte_train.data.real_video import Clip, estimate_plate
from bgmatte_train.model.discriminator import MultiscaleDiscriminator
from bgmatte_train.model.generator import Generator, MattingGraph


def _clip(n: int = 20, size: int = 64) -> Clip:
    """A synthetic 'real' clip: a static textured room, a bright square walking across it."""
    rng = np.random.default_rng(0)
    room = np.clip(0.5 + 0.2 * np.sin(np.arange(size)[None, :, None] / 3) + rng.normal(0, 0.02, (size, size, 3)), 0, 1).astype(np.float32)
    frames = np.repeat(room[None], n, 0).copy()
    for t in range(n):
        x = 4 + 3 * t
        frames[t, 20:44, x:x + 16] = [0.9, 0.2, 0.2]
    return Clip("synthetic", frames, estimate_plate(frames))


def _models():
    torch.manual_seed(0)
    teacher = MattingGraph(Generator(ngf=4, trunk_blocks=1, head_blocks=1)).eval().requires_grad_(False)
    student = MattingGraph(Generator(ngf=4, trunk_blocks=1, head_blocks=1))
    student.load_state_dict(teacher.state_dict())
    return teacher, student, MultiscaleDiscriminator(ndf=8)


def test_estimated_plate_removes_the_moving_subject():
    clip = _clip()
    assert np.abs(clip.plate[20:44, 20:36] - clip.frames[0][20:44, 20:36]).mean() < 0.05  # room, not the square


def test_one_generator_step_updates_only_the_student_and_one_disc_step_only_the_discriminator():
    teacher, student, disc = _models()
    sampler = RealSampler([_clip()], [np.random.default_rng(1).random((80, 80, 3)).astype(np.float32)], 64, 2 / 30, 0)
    batch = sampler.batch(2)
    snap = lambda m: [p.detach().clone() for p in m.parameters()]
    t0, s0, d0 = snap(teacher), snap(student), snap(disc)
    opt_g = torch.optim.Adam(student.parameters(), lr=1e-3)
    terms, fake, _ = generator_losses(student, teacher, disc, batch, 1.0)
    opt_g.zero_grad()
    terms["total"].backward()
    opt_g.step()
    changed = lambda before, m: any(not torch.equal(a, b) for a, b in zip(before, m.parameters()))
    assert changed(s0, student) and not changed(t0, teacher) and not changed(d0, disc)
    s1 = snap(student)
    opt_d = torch.optim.Adam(disc.parameters(), lr=1e-3)
    opt_d.zero_grad()
    discriminator_loss(disc(batch["image"] * 2 - 1), disc(fake * 2 - 1)).backward()
    opt_d.step()
    assert changed(d0, disc) and not changed(s1, student) and not changed(t0, teacher)
    assert {"adversarial", "teacher_alpha", "teacher_grad", "teacher_fg", "compose"} <= set(terms)


def test_teacher_terms_keep_alpha_from_collapsing_to_one():
    """Short adversarial run on synthetic frames: with the teacher terms, mean alpha stays near the teacher's."""
    teacher, student, disc = _models()
    sampler = RealSampler([_clip()], [np.random.default_rng(1).random((80, 80, 3)).astype(np.float32)], 64, 2 / 30, 0)
    opt_g = torch.optim.Adam(student.parameters(), lr=2e-3)
    opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4)
    batch0 = sampler.batch(4)
    with torch.no_grad():
        teacher_mean = float(teacher(batch0["image"], batch0["plate"], batch0["prior"], batch0["motion"])[0].mean())
    for step in range(25):
        batch = sampler.batch(4)
        terms, fake, _ = generator_losses(student, teacher, disc, batch, 1.0)
        opt_g.zero_grad()
        terms["total"].backward()
        opt_g.step()
        if step % 5 == 0:
            opt_d.zero_grad()
            discriminator_loss(disc(batch["image"] * 2 - 1), disc(fake * 2 - 1)).backward()
            opt_d.step()
    student.eval()
    with torch.no_grad():
        mean_alpha = float(student(batch0["image"], batch0["plate"], batch0["prior"], batch0["motion"])[0].mean())
    assert mean_alpha < 0.9, f"alpha collapsed towards 1: mean {mean_alpha:.3f}"
    assert abs(mean_alpha - teacher_mean) < 0.25, f"student {mean_alpha:.3f} drifted from teacher {teacher_mean:.3f}"


def test_hand_held_recipe_aligns_the_plate_to_each_frame():
    """A plate shot from a shifted position is warped onto the frame: the background then matches."""
    import cv2

    from bgmatte_train.data.real_video import align_plate_to

    rng = np.random.default_rng(1)
    room = cv2.GaussianBlur(rng.random((200, 260, 3)).astype(np.float32), (0, 0), 2.0)
    room = (room - room.min()) / (room.max() - room.min())
    frame = room[20:180, 20:240].copy()
    plate = room[26:186, 11:231].copy()  # the camera moved by (9, -6) px between plate and shot
    frame[60:100, 90:130] = [0.9, 0.1, 0.1]  # the subject
    aligned = align_plate_to(frame, plate)
    background = np.ones(frame.shape[:2], bool)
    background[55:105, 85:135] = False
    background[:, :12] = background[:, -12:] = False  # what the shift exposed is filled from the frame
    background[:10] = background[-10:] = False
    before = np.abs(plate - frame)[background].mean()
    after = np.abs(aligned - frame)[background].mean()
    assert after < 0.2 * before and after < 0.02, (before, after)


def test_one_command_adapts_clips_to_an_onnx_pair_that_the_cli_mattes_with(tmp_path):
    """`python -m bgmatte_train.adapt` on a short generated clip for a few steps: it resumes, writes dumps, a
    held-out summary and a model with its refiner, and `bgmatte image --model` uses both."""
    import json
    import shutil
    import subprocess

    import cv2

    from bgmatte_train import adapt
    from bgmatte_train.paths import REPO_ROOT, SHIPPED_CHECKPOINT

    videos, backgrounds = tmp_path / "clips", tmp_path / "backgrounds"
    videos.mkdir()
    backgrounds.mkdir()
    clip = _clip(n=24, size=96)
    writer = cv2.VideoWriter(str(videos / "room.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 10, (96, 96))
    for f in clip.frames:
        writer.write(cv2.cvtColor((f * 255).astype(np.uint8), cv2.COLOR_RGB2BGR))
    writer.release()
    rng = np.random.default_rng(3)
    for i in range(3):
        cv2.imwrite(str(backgrounds / f"bg{i}.png"), (rng.random((120, 160, 3)) * 255).astype(np.uint8))
    run, out = tmp_path / "run", tmp_path / "room.onnx"
    common = ["--videos", str(videos), "--backgrounds", str(backgrounds), "--run-dir", str(run), "--out", str(out),
              "--size", "64", "--batch-size", "2", "--dump-every", "2", "--threads", "1", "--steps-per-epoch", "2"]
    adapt.main(common + ["--steps", "2"])
    assert torch.load(run / "last.pt")["step"] == 2
    adapt.main(common + ["--steps", "4"])  # resumes at 2
    assert [int(r.split(",")[0]) for r in (run / "adapt_log.csv").read_text().splitlines()[1:]] == [1, 2, 3, 4]
    assert (run / "dump_000004.png").exists() and (run / "heldout.png").exists()
    summary = json.loads((run / "summary.json").read_text())
    assert summary["teacher"] == str(SHIPPED_CHECKPOINT)
    assert summary["clips"]["room"]["motion_frames"] == 7  # 0.67 s at 10 fps
    assert summary["clips"]["room"]["held_out"] == [20, 24]
    assert set(summary["heldout"]) == {"teacher", "student"}
    assert summary["heldout"]["teacher"]["alpha_l1_to_teacher"] == 0
    assert out.exists() and (tmp_path / "room-refiner.onnx").exists()

    node = shutil.which("node")
    if node is None or not (REPO_ROOT / "node_modules" / "tsx").exists():
        pytest.skip("node and the product's node_modules are needed to run the CLI")
    frame, plate = tmp_path / "frame.png", tmp_path / "plate.png"
    cv2.imwrite(str(frame), cv2.cvtColor((clip.frames[10] * 255).astype(np.uint8), cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(plate), cv2.cvtColor((clip.plate * 255).astype(np.uint8), cv2.COLOR_RGB2BGR))
    r = subprocess.run([node, "--import", "tsx", "src/cli/run.ts", "image", str(frame), "--plate", str(plate),
                        "--model", str(out), "--refine", "refiner", "-o", str(tmp_path / "matted"), "--json", "-q"],
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    meta = json.loads(r.stdout)["results"][0]
    assert meta["refine"] == "refiner" and "refinedFraction" in meta["refiner"], meta
    assert (tmp_path / "matted" / "frame.alpha.png").exists()
