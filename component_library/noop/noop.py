import argparse
import os
import signal
import sys
import time

signal.signal(signal.SIGTERM, lambda *_: (print('received SIGTERM, stopping', flush=True), os._exit(143)))
p = argparse.ArgumentParser(prog='noop')
p.add_argument('--message', default='')
p.add_argument('--sleep-seconds', type=float, default=0.0)
p.add_argument('--exit-code', type=lambda s: int(float(s)), default=0)
p.add_argument('--out', required=True)
a = p.parse_args()
print(f'noop: message={a.message!r} sleep_seconds={a.sleep_seconds} exit_code={a.exit_code}', flush=True)
os.makedirs(os.path.dirname(a.out) or '.', exist_ok=True)
with open(a.out, 'w', encoding='utf-8') as f:
    f.write(a.message)
end = time.monotonic() + max(a.sleep_seconds, 0.0)
while time.monotonic() < end:
    time.sleep(min(1.0, end - time.monotonic()))
    print(f'noop: {max(end - time.monotonic(), 0.0):.1f} s left', flush=True)
if a.exit_code:
    print(f'noop: exiting with code {a.exit_code} as asked', file=sys.stderr, flush=True)
sys.exit(a.exit_code)
