#!/usr/bin/env python3
"""mesh-node.py: the device side of the VM tests. Asks bluetooth-meshd (on
the bus in DBUS_SYSTEM_BUS_ADDRESS) to join a network as an unprovisioned
device, answers meshd's provisioning agent calls, and once provisioned reads
back what the node stored, so a test can compare it with the provisioner's
view.

  mesh-node.py --uuid HEX32 [--auth none|static:HEX32|output|input]
               [--storage DIR] [--result FILE] [--oob-file FILE] [--timeout S]

--auth picks the capabilities the agent offers (MshPRT v1.1 5.4.1.2):
  none        no OOB
  static:HEX  Static OOB; PromptStatic answers HEX (16 bytes)
  output      Output OOB, numeric: DisplayNumeric writes the number to
              --oob-file for the test to type into the provisioner
  input       Input OOB, numeric: PromptNumeric waits until the test writes
              the provisioner's number to --oob-file
Follows BlueZ's doc/mesh-api.txt: Network1.Join, Application1.JoinComplete
/ JoinFailed, Network1.Attach, Node1 properties. After JoinComplete the node
is attached with its token and DIR/<uuid>/node.json (meshd's own storage) is
read. Log lines start with an upper-case event word (JOIN_STARTED,
DISPLAY_NUMERIC, PROMPT_NUMERIC, PROMPT_STATIC, JOIN_COMPLETE, JOIN_FAILED,
ATTACHED, NODE). --result gets a JSON object: status (joined, failed,
timeout, error), reason, uuid, token, unicast, iv_index, net_key, net_index,
dev_key, dbus_addresses, dbus_iv_index. Exit 0 only when joined and the
stored configuration agrees with what meshd reports over D-Bus."""
import argparse
import json
import os
import sys
import time

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

MESH = 'org.bluez.mesh'
IFACE_NET = MESH + '.Network1'
IFACE_NODE = MESH + '.Node1'
IFACE_APP = MESH + '.Application1'
IFACE_ELEMENT = MESH + '.Element1'
IFACE_AGENT = MESH + '.ProvisionAgent1'
IFACE_PROPS = 'org.freedesktop.DBus.Properties'
IFACE_OM = 'org.freedesktop.DBus.ObjectManager'
APP_PATH = '/mpvm/node'


def say(event, *words):
    print('mesh-node:', event, *words, flush=True)


class Node:
    """The whole run: D-Bus objects, the Join, and the result."""

    def __init__(self, args, bus):
        self.args = args
        self.bus = bus
        self.loop = GLib.MainLoop()
        self.result = {'status': 'timeout', 'uuid': args.uuid}
        self.ok = False
        auth = args.auth
        if auth == 'none':
            caps = []
        elif auth.startswith('static:'):
            caps = ['static-oob']
            self.static = bytes.fromhex(auth[7:])
            if len(self.static) != 16:
                sys.exit('mesh-node: static OOB must be 16 bytes')
        elif auth == 'output':
            caps = ['out-numeric']
        elif auth == 'input':
            caps = ['in-numeric']
        else:
            sys.exit('mesh-node: unknown --auth ' + auth)
        self.objects = [
            App(self, APP_PATH, {IFACE_APP: {
                'CompanyID': dbus.UInt16(0x05f1),
                'ProductID': dbus.UInt16(0x0001),
                'VersionID': dbus.UInt16(0x0001),
                'CRPL': dbus.UInt16(0x7fff)}}),
            Element(self, APP_PATH + '/ele0', {IFACE_ELEMENT: {
                'Index': dbus.Byte(0),
                # one SIG model, Generic OnOff Server, so meshd has an element
                'Models': dbus.Array([(dbus.UInt16(0x1000), dbus.Dictionary({}, 'sv'))],
                                     '(qa{sv})'),
                'VendorModels': dbus.Array([], '(qqa{sv})')}}),
            Agent(self, APP_PATH + '/agent', {IFACE_AGENT: {
                'Capabilities': dbus.Array(caps, 's'),
                'OutOfBandInfo': dbus.Array([], 's')}}),
        ]
        self.net = dbus.Interface(bus.get_object(MESH, '/org/bluez/mesh'), IFACE_NET)

    def run(self):
        self.net.Join(dbus.ObjectPath(APP_PATH), dbus.Array(bytes.fromhex(self.args.uuid), 'y'),
                      reply_handler=lambda: say('JOIN_STARTED', 'uuid=' + self.args.uuid),
                      error_handler=lambda e: self.finish('error', 'Join: %s' % e))
        GLib.timeout_add(int(self.args.timeout * 1000), self.on_timeout)
        self.loop.run()
        if self.args.result:
            tmp = self.args.result + '.tmp'
            with open(tmp, 'w') as f:
                json.dump(self.result, f, indent=1)
            os.rename(tmp, self.args.result)
        return 0 if self.ok else 1

    def on_timeout(self):
        self.finish('timeout', 'no JoinComplete after %gs' % self.args.timeout)
        return False

    def finish(self, status, reason=None):
        self.result['status'] = status
        if reason:
            self.result['reason'] = reason
            say(status.upper(), reason)
        self.ok = status == 'joined'
        self.loop.quit()

    # -- after JoinComplete -------------------------------------------------
    def joined(self, token):
        self.result['token'] = '%016x' % token
        self.net.Attach(dbus.ObjectPath(APP_PATH), dbus.UInt64(token),
                        reply_handler=self.attached,
                        error_handler=lambda e: self.finish('error', 'Attach: %s' % e))
        return False

    def attached(self, node_path, _config):
        props = dbus.Interface(self.bus.get_object(MESH, node_path), IFACE_PROPS)
        node = props.GetAll(IFACE_NODE)
        addrs = ['%04x' % a for a in node.get('Addresses', [])]
        self.result['dbus_addresses'] = addrs
        self.result['dbus_iv_index'] = int(node.get('IvIndex', -1))
        say('ATTACHED', 'path=%s addresses=%s iv_index=%d' %
            (node_path, ','.join(addrs), self.result['dbus_iv_index']))
        stored = self.read_node_json()
        if stored is None:
            return self.finish('error', 'no node.json for %s under %s' %
                               (self.args.uuid, self.args.storage))
        self.result.update(stored)
        say('NODE', ' '.join('%s=%s' % (k, stored[k]) for k in sorted(stored)))
        if [stored.get('unicast')] != addrs[:1] or stored.get('iv_index') != \
                self.result['dbus_iv_index']:
            return self.finish('error', 'node.json disagrees with meshd over D-Bus')
        return self.finish('joined')

    def read_node_json(self):
        """meshd keeps each node in STORAGE/<uuid, 32 lowercase hex>/node.json
        (the UUID is only in the directory name); it may write the file just
        after JoinComplete, so wait a little for it."""
        if not self.args.storage:
            return None
        path = os.path.join(self.args.storage, self.args.uuid, 'node.json')
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with open(path) as f:
                    cfg = json.load(f)
            except (OSError, ValueError):
                cfg = {}
            if 'unicastAddress' in cfg and cfg.get('netKeys'):
                net = cfg['netKeys'][0]
                return {
                    'node_json': path,
                    'unicast': '%04x' % int(str(cfg['unicastAddress']), 16),
                    'iv_index': int(cfg.get('IVindex', 0)),
                    'net_key': str(net.get('key', '')).lower(),
                    'net_index': int(net.get('index', 0)),
                    'dev_key': str(cfg.get('deviceKey', '')).lower(),
                }
            time.sleep(0.2)
        return None


class Obj(dbus.service.Object):
    """An exported object whose properties meshd reads through the
    application's ObjectManager (and, for the agent, Properties)."""

    def __init__(self, node, path, props):
        self.node, self.path, self.props = node, path, props
        super().__init__(node.bus, path)

    @dbus.service.method(IFACE_PROPS, in_signature='s', out_signature='a{sv}')
    def GetAll(self, iface):
        return self.props.get(iface, {})

    @dbus.service.method(IFACE_PROPS, in_signature='ss', out_signature='v')
    def Get(self, iface, name):
        return self.props[iface][name]


class App(Obj):
    @dbus.service.method(IFACE_OM, out_signature='a{oa{sa{sv}}}')
    def GetManagedObjects(self):
        return {o.path: o.props for o in self.node.objects}

    @dbus.service.method(IFACE_APP, in_signature='t')
    def JoinComplete(self, token):
        say('JOIN_COMPLETE', 'token=%016x' % token)
        # answer meshd first (it finalises the node on our reply), then attach
        GLib.idle_add(self.node.joined, int(token))

    @dbus.service.method(IFACE_APP, in_signature='s')
    def JoinFailed(self, reason):
        say('JOIN_FAILED', 'reason=' + reason)
        self.node.result['reason'] = str(reason)
        GLib.idle_add(self.node.finish, 'failed')


class Element(Obj):
    @dbus.service.method(IFACE_ELEMENT, in_signature='qqvay')
    def MessageReceived(self, source, key_index, destination, data):
        say('MESSAGE', 'from=%04x data=%s' % (source, bytes(data).hex()))

    @dbus.service.method(IFACE_ELEMENT, in_signature='qa{sv}')
    def UpdateModelConfiguration(self, model_id, config):
        pass


class Agent(Obj):
    @dbus.service.method(IFACE_AGENT, in_signature='su')
    def DisplayNumeric(self, kind, number):
        say('DISPLAY_NUMERIC', 'type=%s number=%d' % (kind, number))
        write_atomic(self.node.args.oob_file, '%d\n' % number)

    @dbus.service.method(IFACE_AGENT, in_signature='s')
    def DisplayString(self, value):
        say('DISPLAY_STRING', 'value=' + value)
        write_atomic(self.node.args.oob_file, value + '\n')

    @dbus.service.method(IFACE_AGENT, in_signature='s', out_signature='u',
                         async_callbacks=('reply', 'error'))
    def PromptNumeric(self, kind, reply, error):
        say('PROMPT_NUMERIC', 'type=%s waiting for %s' % (kind, self.node.args.oob_file))
        path = self.node.args.oob_file

        def poll():
            try:
                with open(path) as f:
                    text = f.read().strip()
            except OSError:
                return True
            if not text:
                return True
            say('PROMPT_NUMERIC', 'answer=' + text)
            reply(dbus.UInt32(int(text)))
            return False
        GLib.timeout_add(100, poll)

    @dbus.service.method(IFACE_AGENT, in_signature='s', out_signature='ay')
    def PromptStatic(self, kind):
        say('PROMPT_STATIC', 'type=' + kind)
        return dbus.Array(self.node.static, 'y')

    @dbus.service.method(IFACE_AGENT)
    def Cancel(self):
        say('AGENT_CANCEL')


def write_atomic(path, text):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.rename(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--uuid', required=True, help='32 hex digits, an RFC 4122 UUID')
    p.add_argument('--auth', default='none')
    p.add_argument('--storage', help="meshd's --storage directory")
    p.add_argument('--result', help='write the result here (JSON)')
    p.add_argument('--oob-file', default='/tmp/mesh-node.oob')
    p.add_argument('--timeout', type=float, default=120)
    args = p.parse_args()
    args.uuid = args.uuid.lower().replace('-', '')
    if len(args.uuid) != 32:
        sys.exit('mesh-node: --uuid needs 32 hex digits')
    DBusGMainLoop(set_as_default=True)
    try:
        bus = dbus.SystemBus()
    except dbus.DBusException as e:
        sys.exit('mesh-node: no D-Bus: %s' % e)
    sys.exit(Node(args, bus).run())


main()
