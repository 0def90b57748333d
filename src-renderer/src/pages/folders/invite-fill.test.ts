import { describe, expect, it } from 'vitest';
import { encodeInvite } from '../../../../src-shared/invite';
import { initialValues } from './pair-form-model';
import { fillFromInvite, targetAt } from './invite-fill';

const FP = Array.from({ length: 32 }, (_, i) => (i + 160).toString(16).toUpperCase()).join(':');
const TOKEN = 'QmT4x_9kP2vLr8sW1yZb3cD5eF7gH0jK6mN2pQ4rS6t';

describe('fillFromInvite', () => {
  it('fills host, port, share, fingerprint and token, keeping the folder and the other settings', () => {
    const invite = encodeInvite({ hosts: ['192.168.1.20', '10.8.0.1', '127.0.0.1'], port: 7444, share: 'photos', fingerprint: FP, token: TOKEN });
    const before = { ...initialValues(), localPath: '/home/ana/Photos', ignore: '*.tmp', host: 'old.example', token: 'old' };
    const r = fillFromInvite(before, `  ${invite}\n`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.hosts).toEqual(['192.168.1.20', '10.8.0.1', '127.0.0.1']);
    expect(r.values).toEqual({ ...before, host: '192.168.1.20', port: '7444', share: 'photos', fingerprint: FP, token: TOKEN });
    expect(targetAt(r.values, '10.8.0.1')).toEqual({ host: '10.8.0.1', port: 7444, share: 'photos', fingerprint: FP, token: TOKEN });
  });

  it('says why pasted text is not a usable invite, changing nothing', () => {
    const invite = encodeInvite({ hosts: ['nas.local'], port: 7443, share: 'default', fingerprint: FP, token: TOKEN });
    expect(fillFromInvite(initialValues(), invite.slice(0, -5))).toEqual({ ok: false, error: expect.stringMatching(/copy all of it again/) });
    expect(fillFromInvite(initialValues(), 'nas.local:7443')).toEqual({ ok: false, error: expect.stringMatching(/not a Ferry invite/) });
  });
});
