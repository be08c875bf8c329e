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
    sampler = RealSampler([_clip()], [np.random.default_rng(1).random((80, 80, 3)).astype(np.float32)], 64, 2, 0)
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
    sampler = RealSampler([_clip()], [np.random.default_rng(1).random((80, 80, 3)).astype(np.float32)], 64, 2, 0)
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
