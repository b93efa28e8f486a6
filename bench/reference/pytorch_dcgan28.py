"""PyTorch reference for the GanForge benchmark: the same dcgan28 training step, timed the same way.

Runs TensorFlow's DCGAN-tutorial architecture (GanForge's `dcgan28`) with the non-saturating loss,
Adam(2e-4, 0.5, 0.999), one D step then one G step reusing the same fakes, on shuffled batches of an
MNIST-sized uint8 training set, and prints
`pytorch.dcgan28.train VALUE img/s` and `pytorch.dcgan28.peak_rss VALUE MB`, so the two can be
compared as a ratio measured in one session:

    /usr/bin/python3 bench/reference/pytorch_dcgan28.py --batch 128 --threads 2 --steps 20 --repeat 3
"""
import argparse
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def generator(ngf=64, nz=100):
    act = lambda: nn.LeakyReLU(0.3)
    return nn.Sequential(
        nn.Linear(nz, 7 * 7 * 4 * ngf, bias=False), nn.BatchNorm1d(7 * 7 * 4 * ngf), act(),
        nn.Unflatten(1, (4 * ngf, 7, 7)),
        nn.ConvTranspose2d(4 * ngf, 2 * ngf, 5, 1, 2, bias=False), nn.BatchNorm2d(2 * ngf), act(),
        nn.ConvTranspose2d(2 * ngf, ngf, 5, 2, 2, output_padding=1, bias=False), nn.BatchNorm2d(ngf), act(),
        nn.ConvTranspose2d(ngf, 1, 5, 2, 2, output_padding=1, bias=False), nn.Tanh())


def discriminator(ndf=64):
    return nn.Sequential(
        nn.Conv2d(1, ndf, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Conv2d(ndf, 2 * ndf, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Flatten(), nn.Linear(7 * 7 * 2 * ndf, 1), nn.Flatten(0))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    g, d = generator(), discriminator()
    opt_g = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    # A training set the size of MNIST's, held as torchvision's MNIST holds it (uint8) and scaled per batch, as
    # GanForge's side holds and scales the real MNIST: both processes keep their data for the whole run.
    data = torch.randint(0, 256, (60000, 1, 28, 28), dtype=torch.uint8)

    def step():
        real = data[torch.randint(0, len(data), (args.batch,))].float().div_(127.5).sub_(1)
        fake = g(torch.randn(args.batch, 100))
        opt_d.zero_grad()
        loss_d = F.softplus(-d(real)).mean() + F.softplus(d(fake.detach())).mean()
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        loss_g = F.softplus(-d(fake)).mean()
        loss_g.backward()
        opt_g.step()
        return loss_d.item() + loss_g.item()

    for _ in range(args.warmup):
        step()
    rates = []
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(args.repeat):  # the median of several windows, as the GanForge benchmark reports
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        rates.append(args.batch * args.steps / (time.perf_counter() - start))
    print(f"pytorch.dcgan28.train {sorted(rates)[len(rates) // 2]:.1f} img/s")
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / (args.repeat * args.steps)
    print(f"pytorch.dcgan28.peak_rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"pytorch.dcgan28.page_faults_per_step {faults:.0f}")


if __name__ == "__main__":
    main()
