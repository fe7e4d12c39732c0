#!/usr/bin/env python3
"""caps-probe: each kernel call meshprov's radio makes, alone, with the
caller's capabilities as they are; one line per call: NAME ok | NAME ERRNO.

    caps-probe.py hci INDEX            raw HCI socket, controller info, bind,
                                       event filter, commands, HCIDEVUP
    caps-probe.py l2cap INDEX ADDR     LE connection on the ATT channel to a
                                       connectable device at ADDR (public)

Run by scenarios/privs-caps.sh under setpriv with several capability sets.
"""
import ctypes
import errno
import os
import select
import socket
import struct
import sys

AF_BLUETOOTH, BTPROTO_HCI, BTPROTO_L2CAP = 31, 1, 0
SOL_HCI, HCI_FILTER = 0, 2
HCIGETDEVINFO = 0x800448d3	# _IOR('H', 211, int)
HCIDEVUP = 0x400448c9		# _IOW('H', 201, int)
libc = ctypes.CDLL(None, use_errno=True)


def report(name, fn):
    try:
        r = fn()
        print('%s ok%s' % (name, '' if r is None else ' ' + str(r)))
    except OSError as e:
        print('%s %s' % (name, errno.errorcode.get(e.errno, e.errno)))
    sys.stdout.flush()


def cerr():
    e = ctypes.get_errno()
    raise OSError(e, os.strerror(e))


def hci(index):
    s = [None]

    def open_():
        s[0] = socket.socket(AF_BLUETOOTH, socket.SOCK_RAW, BTPROTO_HCI)

    def info():
        import fcntl
        buf = bytearray(struct.pack('<H', index) + bytes(126))
        fcntl.ioctl(s[0].fileno(), HCIGETDEVINFO, buf)

    def filt():
        # every event type; does the LE Meta event (0x3e) survive?
        f = struct.pack('<IIIHxx', 1 << 4, 0xffffffff, 0xffffffff, 0)
        s[0].setsockopt(SOL_HCI, HCI_FILTER, f)
        got = s[0].getsockopt(SOL_HCI, HCI_FILTER, 16)
        _, lo, hi, _ = struct.unpack('<IIIHxx', got)
        return 'le-meta=%s' % ('kept' if hi & (1 << (0x3e - 32)) else 'masked')

    def cmd(opcode, params=b''):
        def send():
            s[0].send(struct.pack('<BHB', 1, opcode, len(params)) + params)
        return send

    def devup():
        import fcntl
        fcntl.ioctl(s[0].fileno(), HCIDEVUP, index)

    report('socket(HCI,RAW)', open_)
    if not s[0]:
        return
    report('ioctl(HCIGETDEVINFO)', info)
    report('bind(HCI_CHANNEL_RAW)', lambda: s[0].bind((index,)))
    report('setsockopt(HCI_FILTER)', filt)
    report('send(Read_Local_Version)', cmd(0x1001))
    report('send(LE_Set_Scan_Enable)', cmd(0x200c, b'\x00\x00'))
    report('send(LE_Set_Advertising_Data)', cmd(0x2008, bytes(32)))
    report('ioctl(HCIDEVUP)', devup)


def l2cap(index, peer):
    def addr(bd, cid, typ):
        raw = bytes(reversed(bytes.fromhex(bd.replace(':', ''))))
        return struct.pack('<HH6sHBx', AF_BLUETOOTH, 0, raw, cid, typ)

    import fcntl
    ctl = socket.socket(AF_BLUETOOTH, socket.SOCK_RAW, BTPROTO_HCI)
    buf = bytearray(struct.pack('<H', index) + bytes(126))
    fcntl.ioctl(ctl.fileno(), HCIGETDEVINFO, buf)
    ours = ':'.join('%02x' % b for b in reversed(buf[10:16]))
    ctl.close()
    fd = [None]

    def open_():
        fd[0] = libc.socket(AF_BLUETOOTH, socket.SOCK_SEQPACKET | socket.SOCK_NONBLOCK,
                            BTPROTO_L2CAP)
        if fd[0] < 0:
            cerr()

    def bind():
        a = addr(ours, 4, 1)
        if libc.bind(fd[0], a, len(a)) < 0:
            cerr()

    def connect():
        a = addr(peer, 4, 1)
        if libc.connect(fd[0], a, len(a)) < 0 and ctypes.get_errno() not in (
                errno.EINPROGRESS, errno.EAGAIN):
            cerr()
        p = select.poll()
        p.register(fd[0], select.POLLOUT)
        if not p.poll(30000):
            raise OSError(errno.ETIMEDOUT, 'no answer')
        s = socket.socket(fileno=os.dup(fd[0]))
        e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        s.close()
        if e:
            raise OSError(e, os.strerror(e))

    report('socket(L2CAP,SEQPACKET)', open_)
    if fd[0] is None or fd[0] < 0:
        return
    report('bind(L2CAP,ATT)', bind)
    report('connect(L2CAP,ATT,LE)', connect)
    os.close(fd[0])


if __name__ == '__main__':
    if sys.argv[1] == 'hci':
        hci(int(sys.argv[2]))
    else:
        l2cap(int(sys.argv[2]), sys.argv[3])
