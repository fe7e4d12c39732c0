#!/usr/bin/env python3
"""mesh-node.py: the device side of the VM tests. Asks bluetooth-meshd (on
the bus in DBUS_SYSTEM_BUS_ADDRESS) to join a network as an unprovisioned
device, answers meshd's provisioning agent calls, and once provisioned reads
back what the node stored, so a test can compare it with the provisioner's
view.

  mesh-node.py --uuid HEX32 [--auth none|static:HEX32|output|input]
               [--storage DIR] [--result FILE] [--oob-file FILE] [--timeout S]
               [--serve]

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
stored configuration agrees with what meshd reports over D-Bus.

--serve: once joined, --result is written at once and the node stays
attached, playing its Generic OnOff Server: every message meshd delivers is
logged (MESSAGE), a Generic OnOff Set or Get is logged (ONOFF_SET, ONOFF_GET)
and answered with a Generic OnOff Status through Node1.Send under the key it
came with (MshMDL v1.1 3.2.1), each UpdateModelConfiguration is logged
(MODEL_CONFIG). When meshd drops the node (a Config Node Reset: meshd 5.66
deletes its storage directory and unregisters it, with no call to the
application), the node directory's disappearance is noticed, Attach with the
token is tried once more and its error logged (LEFT), the result's status
becomes "left", and the exit status is 0 when that Attach was refused."""
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
        self.serving = False
        self.node_path = None
        self.onoff = 0
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
        self.write_result()
        return 0 if self.ok else 1

    def on_timeout(self):
        if self.serving:
            self.finish('timeout', 'still a node after %gs' % self.args.timeout)
        else:
            self.finish('timeout', 'no JoinComplete after %gs' % self.args.timeout)
        return False

    def write_result(self):
        if self.args.result:
            write_atomic(self.args.result, json.dumps(self.result, indent=1))

    def finish(self, status, reason=None):
        self.result['status'] = status
        if reason:
            self.result['reason'] = reason
            say(status.upper(), reason)
        self.ok = status == ('left' if self.serving else 'joined')
        self.loop.quit()

    # -- after JoinComplete -------------------------------------------------
    def joined(self, token):
        self.result['token'] = '%016x' % token
        self.net.Attach(dbus.ObjectPath(APP_PATH), dbus.UInt64(token),
                        reply_handler=self.attached,
                        error_handler=lambda e: self.finish('error', 'Attach: %s' % e))
        return False

    def attached(self, node_path, _config):
        self.node_path = node_path
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
        if not self.args.serve:
            return self.finish('joined')
        # Serving: the test reads the result now, the node stays attached.
        self.result['status'] = 'joined'
        self.write_result()
        self.serving = True
        say('SERVING', 'path=%s' % node_path)
        GLib.timeout_add(500, self.watch_storage)
        return None

    # -- --serve ------------------------------------------------------------
    def watch_storage(self):
        """meshd 5.66 answers a Config Node Reset by deleting the node's
        storage directory and its D-Bus objects; it does not call the
        application. Once the directory is gone, ask meshd to attach the
        token again: a node it dropped is refused (NotFound)."""
        if os.path.isdir(os.path.dirname(self.result['node_json'])):
            return True
        token = int(self.result['token'], 16)
        self.net.Attach(dbus.ObjectPath(APP_PATH), dbus.UInt64(token),
                        reply_handler=lambda *_: self.left(None),
                        error_handler=lambda e: self.left(e))
        return False

    def left(self, err):
        if err is None:
            say('LEFT', 'node directory gone, but Attach still accepted')
            return self.finish('error', 'meshd still attaches the token')
        say('LEFT', 'node directory gone; Attach refused: %s' % err.get_dbus_name())
        self.result['attach_error'] = err.get_dbus_name()
        return self.finish('left')

    def received(self, element, source, key_index, destination, data):
        data = bytes(data)
        say('MESSAGE', 'from=%04x key=%d data=%s' % (source, key_index, data.hex()))
        # Generic OnOff (MshMDL v1.1 7.1): Get 82 01, Set 82 02 (OnOff, TID,
        # [transition, delay]), Set Unacknowledged 82 03, Status 82 04.
        if len(data) >= 2 and data[0] == 0x82 and data[1] in (1, 2, 3):
            if data[1] == 1:
                say('ONOFF_GET', 'from=%04x key=%d' % (source, key_index))
            elif len(data) >= 4:
                self.onoff = data[2]
                say('ONOFF_SET', 'from=%04x key=%d value=%d tid=%d ack=%d to=%04x' %
                    (source, key_index, data[2], data[3], data[1] == 2, destination))
            else:
                return
            if data[1] in (1, 2) and self.node_path:
                node = dbus.Interface(self.bus.get_object(MESH, self.node_path), IFACE_NODE)
                node.Send(dbus.ObjectPath(element), dbus.UInt16(source), dbus.UInt16(key_index),
                          dbus.Dictionary({}, 'sv'), dbus.Array(bytes([0x82, 0x04, self.onoff]), 'y'),
                          reply_handler=lambda: say('ONOFF_STATUS', 'to=%04x value=%d' %
                                                    (source, self.onoff)),
                          error_handler=lambda e: say('SEND_FAILED', str(e)))

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
        self.node.received(self.path, int(source), int(key_index), destination, data)

    @dbus.service.method(IFACE_ELEMENT, in_signature='qa{sv}')
    def UpdateModelConfiguration(self, model_id, config):
        say('MODEL_CONFIG', 'model=%04x %s' % (model_id, ' '.join(
            '%s=%s' % (k, plain(v)) for k, v in sorted(config.items()))))


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


def plain(v):
    """A D-Bus value as compact text for the log."""
    if isinstance(v, (dbus.Array, list)):
        return '[' + ','.join(plain(x) for x in v) + ']'
    if isinstance(v, (dbus.Struct, tuple)):
        return '(' + ','.join(plain(x) for x in v) + ')'
    if isinstance(v, (dbus.Dictionary, dict)):
        return '{' + ','.join('%s:%s' % (k, plain(x)) for k, x in v.items()) + '}'
    if isinstance(v, int) and not isinstance(v, bool):
        return '%x' % v
    return str(v)


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
    p.add_argument('--serve', action='store_true',
                   help='stay attached after joining: OnOff Server, LEFT on reset')
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
