-- Wireshark dissector for the pcap files mmio-replay writes (docs/pcap.md):
--   LINKTYPE_USER0 (147): trace events, protocol "mmioreplay"
--   LINKTYPE_USER1 (148): PCIe TLPs with a two-byte pseudo-header, protocol "pcietlp"
--
-- Load it for one run:   tshark -X lua_script:tools/wireshark/mmio-replay.lua -r trace.pcap
-- or for good: copy it into Wireshark's personal Lua plugins folder (Help > About > Folders).

-- Bits lo .. lo+n-1 of a non-negative integer below 2^53 (no bit library: works with Lua 5.2 to 5.4).
local function bits(value, lo, n)
    return math.floor(value / 2 ^ lo) % 2 ^ n
end

-- A UInt64 as lower-case hex without leading zeros, the way .mtrace spells numbers.
local function hex64(value)
    local digits = value:tohex():lower():gsub("^0+", "")
    return digits == "" and "0" or digits
end

local function hex(value)
    return string.format("%x", value)
end

---------------------------------------------------------------------------------------------
-- Trace events (USER0)
---------------------------------------------------------------------------------------------

local trace = Proto("mmioreplay", "mmio-replay trace event")

local kinds = { [0] = "read", "write", "barrier", "exit", "entry", "teardown", "unmap", "tlbi",
                "cfg-read", "cfg-write", "reset", "mark" }
local roles = { [0] = "host", "vmm", "vcpu" }
local barrier_types = { [0] = "dmb", "dsb", "isb" }
local domains = { [0] = "sy", "osh", "ish", "nsh" }
local barrier_accesses = { [0] = "", "ld", "st" }
local tlbi_ops = { [0] = "ipas2e1is", "vmalle1is", "vmalls12e1is" }
local resets = { [0] = "flr", "hot", "controller" }

local tf = {
    record_type = ProtoField.uint8("mmioreplay.record_type", "Record type", base.DEC, { [1] = "topology", [2] = "event" }),
    version = ProtoField.uint8("mmioreplay.version", "Format version"),
    topology = ProtoField.string("mmioreplay.topology", "Topology (.mtrace header)"),
    kind = ProtoField.string("mmioreplay.kind", "Kind"),
    kind_code = ProtoField.uint8("mmioreplay.kind_code", "Kind code"),
    agent = ProtoField.string("mmioreplay.agent", "Agent"),
    role = ProtoField.string("mmioreplay.agent.role", "Role"),
    agent_vm = ProtoField.uint16("mmioreplay.agent.vm", "Agent VM"),
    agent_index = ProtoField.uint16("mmioreplay.agent.index", "vCPU index"),
    address = ProtoField.uint64("mmioreplay.address", "Address", base.HEX),
    region_index = ProtoField.uint16("mmioreplay.region_index", "Region index"),
    region = ProtoField.string("mmioreplay.region", "Region"),
    offset = ProtoField.uint64("mmioreplay.offset", "Offset in region", base.HEX),
    size = ProtoField.uint8("mmioreplay.size", "Size (bytes)"),
    has_value = ProtoField.bool("mmioreplay.has_value", "Has value"),
    value = ProtoField.string("mmioreplay.value", "Value"),
    value_bytes = ProtoField.bytes("mmioreplay.value_bytes", "Value bytes (little-endian)"),
    barrier = ProtoField.string("mmioreplay.barrier", "Barrier"),
    barrier_domain = ProtoField.string("mmioreplay.barrier.domain", "Domain"),
    barrier_accesses = ProtoField.string("mmioreplay.barrier.accesses", "Accesses"),
    vm = ProtoField.uint16("mmioreplay.vm", "VM"),
    tlbi = ProtoField.string("mmioreplay.tlbi", "TLBI operation"),
    device_index = ProtoField.uint16("mmioreplay.device_index", "Device index"),
    device = ProtoField.string("mmioreplay.device", "Device"),
    cfg_offset = ProtoField.uint16("mmioreplay.cfg_offset", "Configuration offset", base.HEX),
    cfg_value = ProtoField.uint32("mmioreplay.cfg_value", "Configuration value", base.HEX),
    reset = ProtoField.string("mmioreplay.reset", "Reset kind"),
    mark = ProtoField.string("mmioreplay.mark", "Mark"),
}
trace.fields = tf

-- Device names and region names and bases from the topology record (record 1).
local topology = { devices = {}, regions = {} }

function trace.init()
    topology = { devices = {}, regions = {} }
end

local function parse_topology(text)
    topology = { devices = {}, regions = {} }
    for line in text:gmatch("[^\n]+") do
        local device = line:match("^device (%S+)")
        if device then table.insert(topology.devices, device) end
        local name, base_hex = line:match("^region (%S+) .*base=0x(%x+)")
        if name then table.insert(topology.regions, { name = name, base = UInt64.fromhex(base_hex) }) end
    end
end

-- Adds region, offset and address fields; returns the address as .mtrace spells it.
local function add_address(tree, address_range, region_range)
    local address = address_range:le_uint64()
    local region_index = region_range:le_uint()
    tree:add(tf.address, address_range, address)
    tree:add(tf.region_index, region_range, region_index)
    if region_index == 0xffff then return "0x" .. hex64(address) end
    local region = topology.regions[region_index + 1]
    if not region then
        tree:add(tf.region, region_range, "#" .. region_index)
        return "0x" .. hex64(address)
    end
    local offset = address - region.base
    tree:add(tf.region, region_range, region.name)
    tree:add(tf.offset, address_range, offset)
    return region.name .. "+0x" .. hex64(offset)
end

local function device_name(tree, range)
    local index = range:le_uint()
    tree:add(tf.device_index, range, index)
    local name = topology.devices[index + 1] or ("#" .. index)
    tree:add(tf.device, range, name)
    return name
end

local function vm_suffix(vm)
    return vm == 0 and "" or (" vm" .. vm)
end

-- Dissects the fields after the 8-byte event header; returns the event text after the agent.
local function dissect_event_body(kind, tvb, tree)
    if kind == "read" or kind == "write" then
        local place = add_address(tree, tvb(8, 8), tvb(16, 2))
        local size = tvb(18, 1):uint()
        tree:add(tf.size, tvb(18, 1), size)
        local has_value = tvb(19, 1):uint() == 1
        tree:add(tf.has_value, tvb(19, 1), has_value)
        local text = kind .. " " .. place .. " " .. size
        if has_value then
            local digits = ""
            for i = size - 1, 0, -1 do digits = digits .. string.format("%02x", tvb(20 + i, 1):uint()) end
            digits = digits:gsub("^0+", "")
            local value = "0x" .. (digits == "" and "0" or digits)
            tree:add(tf.value, tvb(20, size), value)
            tree:add(tf.value_bytes, tvb(20, size))
            text = text .. (kind == "read" and " -> " or " ") .. value
        end
        return text
    elseif kind == "barrier" then
        local type = barrier_types[tvb(8, 1):uint()] or "?"
        if type == "isb" then
            tree:add(tf.barrier, tvb(8, 3), "isb")
            return "isb"
        end
        local domain = domains[tvb(9, 1):uint()] or "?"
        local accesses = barrier_accesses[tvb(10, 1):uint()] or "?"
        local option = (domain == "sy" and accesses ~= "") and accesses or (domain .. accesses)
        tree:add(tf.barrier, tvb(8, 3), type .. " " .. option)
        tree:add(tf.barrier_domain, tvb(9, 1), domain)
        tree:add(tf.barrier_accesses, tvb(10, 1), accesses == "" and "all" or accesses)
        return type .. " " .. option
    elseif kind == "exit" or kind == "entry" then
        return kind
    elseif kind == "teardown" then
        local vm = tvb(8, 2):le_uint()
        tree:add(tf.vm, tvb(8, 2), vm)
        return "teardown vm" .. vm
    elseif kind == "unmap" then
        local index = tvb(8, 2):le_uint()
        tree:add(tf.region_index, tvb(8, 2), index)
        local region = topology.regions[index + 1]
        local name = region and region.name or ("#" .. index)
        tree:add(tf.region, tvb(8, 2), name)
        local vm = tvb(10, 2):le_uint()
        tree:add(tf.vm, tvb(10, 2), vm)
        return "unmap " .. name .. vm_suffix(vm)
    elseif kind == "tlbi" then
        local op = tlbi_ops[tvb(8, 1):uint()] or "?"
        tree:add(tf.tlbi, tvb(8, 1), op)
        local vm = tvb(10, 2):le_uint()
        tree:add(tf.vm, tvb(10, 2), vm)
        local text = "tlbi " .. op
        if tvb(9, 1):uint() == 1 then text = text .. " " .. add_address(tree, tvb(12, 8), tvb(20, 2)) end
        return text .. vm_suffix(vm)
    elseif kind == "cfg-read" or kind == "cfg-write" then
        local name = device_name(tree, tvb(8, 2))
        local offset = tvb(10, 2):le_uint()
        tree:add(tf.cfg_offset, tvb(10, 2), offset)
        local size = tvb(16, 1):uint()
        tree:add(tf.size, tvb(16, 1), size)
        local has_value = tvb(17, 1):uint() == 1
        tree:add(tf.has_value, tvb(17, 1), has_value)
        local text = kind .. " " .. name .. " 0x" .. hex(offset) .. " " .. size
        if has_value then
            local value = tvb(12, 4):le_uint()
            tree:add(tf.cfg_value, tvb(12, 4), value)
            text = text .. (kind == "cfg-read" and " -> 0x" or " 0x") .. hex(value)
        end
        return text
    elseif kind == "reset" then
        local reset = resets[tvb(8, 1):uint()] or "?"
        tree:add(tf.reset, tvb(8, 1), reset)
        return "reset " .. reset .. " " .. device_name(tree, tvb(10, 2))
    elseif kind == "mark" then
        local text = tvb:len() > 8 and tvb(8):string(ENC_UTF_8) or ""
        if tvb:len() > 8 then tree:add(tf.mark, tvb(8), text) else tree:add(tf.mark, tvb(0, 0), "") end
        return text == "" and "mark" or ("mark " .. text)
    end
    return kind
end

function trace.dissector(tvb, pinfo, root)
    pinfo.cols.protocol = "mmio-replay"
    local tree = root:add(trace, tvb())
    local record_type = tvb(0, 1):uint()
    tree:add(tf.record_type, tvb(0, 1))
    if record_type == 1 then
        tree:add(tf.version, tvb(1, 1))
        local text = tvb(2):string(ENC_UTF_8)
        tree:add(tf.topology, tvb(2), text)
        parse_topology(text)
        pinfo.cols.info = string.format("topology: %d devices, %d regions", #topology.devices, #topology.regions)
        return
    end
    local kind = kinds[tvb(1, 1):uint()] or ("kind " .. tvb(1, 1):uint())
    tree:add(tf.kind, tvb(1, 1), kind)
    tree:add(tf.kind_code, tvb(1, 1))
    local role = roles[tvb(2, 1):uint()] or "?"
    local vm = tvb(4, 2):le_uint()
    local index = tvb(6, 2):le_uint()
    local agent = (role == "vcpu" and ("vcpu" .. index) or role)
    if vm ~= 0 then agent = "vm" .. vm .. "." .. agent end
    tree:add(tf.agent, tvb(2, 6), agent)
    tree:add(tf.role, tvb(2, 1), role)
    tree:add(tf.agent_vm, tvb(4, 2), vm)
    tree:add(tf.agent_index, tvb(6, 2), index)
    local text = dissect_event_body(kind, tvb, tree)
    pinfo.cols.info = agent .. " " .. text
    tree:append_text(": " .. agent .. " " .. text)
end

---------------------------------------------------------------------------------------------
-- PCIe TLPs (USER1)
---------------------------------------------------------------------------------------------

local tlp = Proto("pcietlp", "PCIe TLP (mmio-replay capture)")

local fmt_types = {
    [0x00] = "MRd32", [0x20] = "MRd64", [0x40] = "MWr32", [0x60] = "MWr64",
    [0x04] = "CfgRd0", [0x44] = "CfgWr0", [0x0a] = "Cpl", [0x4a] = "CplD",
}
for routing = 0, 5 do
    fmt_types[0x30 + routing] = "Msg"
    fmt_types[0x70 + routing] = "MsgD"
end
local statuses = { [0] = "SC", [1] = "UR", [2] = "CRS", [4] = "CA" }

local pf = {
    record_type = ProtoField.uint8("pcietlp.record_type", "Record type", base.DEC, { [3] = "TLP" }),
    direction = ProtoField.uint8("pcietlp.direction", "Direction", base.DEC, { [0] = "downstream", [1] = "upstream" }),
    fmt_type = ProtoField.uint8("pcietlp.fmt_type", "Fmt/Type", base.HEX, fmt_types),
    kind = ProtoField.string("pcietlp.kind", "Kind"),
    tc = ProtoField.uint8("pcietlp.tc", "Traffic class"),
    td = ProtoField.bool("pcietlp.td", "TLP digest present (TD)"),
    ep = ProtoField.bool("pcietlp.ep", "Poisoned (EP)"),
    attr = ProtoField.uint8("pcietlp.attr", "Attributes (bit 1 RO, bit 0 NS)", base.HEX),
    length = ProtoField.uint16("pcietlp.length", "Length (DW)"),
    requester_id = ProtoField.uint16("pcietlp.requester_id", "Requester ID", base.HEX),
    tag = ProtoField.uint16("pcietlp.tag", "Tag"),
    last_be = ProtoField.uint8("pcietlp.last_be", "Last DW BE", base.HEX),
    first_be = ProtoField.uint8("pcietlp.first_be", "First DW BE", base.HEX),
    address = ProtoField.uint64("pcietlp.address", "Address", base.HEX),
    target_id = ProtoField.uint16("pcietlp.target_id", "Target ID", base.HEX),
    register = ProtoField.uint16("pcietlp.register", "Register (DW)"),
    completer_id = ProtoField.uint16("pcietlp.completer_id", "Completer ID", base.HEX),
    completion_status = ProtoField.uint8("pcietlp.completion_status", "Completion status", base.DEC, statuses),
    bcm = ProtoField.bool("pcietlp.bcm", "Byte count modified (BCM)"),
    byte_count = ProtoField.uint16("pcietlp.byte_count", "Byte count"),
    lower_address = ProtoField.uint8("pcietlp.lower_address", "Lower address", base.HEX),
    message_code = ProtoField.uint8("pcietlp.message_code", "Message code", base.HEX),
    payload = ProtoField.bytes("pcietlp.payload", "Payload"),
    digest = ProtoField.uint32("pcietlp.digest", "TLP digest (ECRC)", base.HEX),
}
pf.request_in = ProtoField.framenum("pcietlp.request_in", "Request in frame", base.NONE, frametype.REQUEST)
pf.response_in = ProtoField.framenum("pcietlp.response_in", "Completion in frame", base.NONE, frametype.RESPONSE)
tlp.fields = pf

-- Expert information ("Analyze > Expert Information", tshark -z expert): every error a replay
-- put on the link, and requests linked to their completions by requester ID and tag.
local ef = {
    error_completion = ProtoExpert.new("pcietlp.error_completion", "Completion with an error status (UR or CA)",
        expert.group.RESPONSE_CODE, expert.severity.ERROR),
    retry_completion = ProtoExpert.new("pcietlp.retry_completion", "Configuration Request Retry Status (CRS)",
        expert.group.RESPONSE_CODE, expert.severity.NOTE),
    poisoned = ProtoExpert.new("pcietlp.poisoned", "Poisoned TLP (EP set)", expert.group.MALFORMED, expert.severity.ERROR),
    error_message = ProtoExpert.new("pcietlp.error_message", "Error message (ERR_NONFATAL or ERR_FATAL)",
        expert.group.PROTOCOL, expert.severity.ERROR),
    correctable_message = ProtoExpert.new("pcietlp.correctable_message", "Correctable error message (ERR_COR)",
        expert.group.PROTOCOL, expert.severity.WARN),
    unanswered = ProtoExpert.new("pcietlp.unmatched_completion", "Completion matching no earlier request (requester ID, tag)",
        expert.group.SEQUENCE, expert.severity.WARN),
}
tlp.experts = ef

local error_messages = { [0x30] = "ERR_COR", [0x31] = "ERR_NONFATAL", [0x33] = "ERR_FATAL" }
-- First pass: the latest request per (requester ID, tag), and each pair found, by frame.
local outstanding, request_of, response_of = {}, {}, {}
function tlp.init()
    outstanding, request_of, response_of = {}, {}, {}
end

local function routing_id(value)
    return string.format("%02x:%02x.%d", bits(value, 8, 8), bits(value, 3, 5), bits(value, 0, 3))
end

local function add_id(tree, field, range)
    local value = range:uint()
    tree:add(field, range, value):append_text(" (" .. routing_id(value) .. ")")
    return value
end

function tlp.dissector(tvb, pinfo, root)
    pinfo.cols.protocol = "PCIe TLP"
    local tree = root:add(tlp, tvb())
    tree:add(pf.record_type, tvb(0, 1))
    local direction = tvb(1, 1):uint()
    tree:add(pf.direction, tvb(1, 1))
    local t = tvb(2):tvb()
    local fmt_type = t(0, 1):uint()
    local kind = fmt_types[fmt_type]
    tree:add(pf.fmt_type, t(0, 1))
    local info = (direction == 0 and "downstream " or "upstream ")
    if not kind then
        pinfo.cols.info = info .. string.format("Fmt/Type 0x%02x (not decoded)", fmt_type)
        return
    end
    tree:add(pf.kind, t(0, 1), kind)
    local byte1, byte2 = t(1, 1):uint(), t(2, 1):uint()
    tree:add(pf.tc, t(1, 1), bits(byte1, 4, 3))
    local has_digest = bits(byte2, 7, 1) == 1
    tree:add(pf.td, t(2, 1), has_digest)
    local ep_item = tree:add(pf.ep, t(2, 1), bits(byte2, 6, 1) == 1)
    if bits(byte2, 6, 1) == 1 then ep_item:add_proto_expert_info(ef.poisoned) end
    tree:add(pf.attr, t(2, 1), bits(byte2, 4, 2))
    local has_data = bits(fmt_type, 6, 1) == 1
    local header_length = bits(fmt_type, 5, 1) == 1 and 16 or 12
    local is_completion = kind == "Cpl" or kind == "CplD"
    local is_message = kind == "Msg" or kind == "MsgD"
    local length_field = bits(t(2, 2):uint(), 0, 10)
    local length = length_field
    if length == 0 and (has_data or not (is_completion or is_message)) then length = 1024 end
    tree:add(pf.length, t(2, 2), length)
    local tag_high = bits(byte1, 7, 1) * 512 + bits(byte1, 3, 1) * 256
    info = info .. kind

    if is_completion then
        local completer = add_id(tree, pf.completer_id, t(4, 2))
        local status = bits(t(6, 1):uint(), 5, 3)
        tree:add(pf.completion_status, t(6, 1), status)
        tree:add(pf.bcm, t(6, 1), bits(t(6, 1):uint(), 4, 1) == 1)
        local byte_count = bits(t(6, 2):uint(), 0, 12)
        if byte_count == 0 then byte_count = 4096 end
        tree:add(pf.byte_count, t(6, 2), byte_count)
        local requester = add_id(tree, pf.requester_id, t(8, 2))
        local tag = tag_high + t(10, 1):uint()
        tree:add(pf.tag, t(10, 1), tag)
        tree:add(pf.lower_address, t(11, 1), bits(t(11, 1):uint(), 0, 7))
        info = info .. string.format(" %s completer=%s requester=%s tag=%d bytes=%d", statuses[status] or ("status " .. status),
            routing_id(completer), routing_id(requester), tag, byte_count)
        if status == 1 or status == 4 then
            tree:add_proto_expert_info(ef.error_completion, statuses[status] .. " from " .. routing_id(completer))
        elseif status == 2 then
            tree:add_proto_expert_info(ef.retry_completion)
        end
        if not pinfo.visited then
            local key = requester * 65536 + tag
            if outstanding[key] then
                request_of[pinfo.number] = outstanding[key]
                response_of[outstanding[key]] = pinfo.number
                outstanding[key] = nil
            end
        end
        if request_of[pinfo.number] then
            tree:add(pf.request_in, request_of[pinfo.number])
        else
            tree:add_proto_expert_info(ef.unanswered)
        end
    else
        local requester = add_id(tree, pf.requester_id, t(4, 2))
        local tag = tag_high + t(6, 1):uint()
        tree:add(pf.tag, t(6, 1), tag)
        info = info .. string.format(" requester=%s tag=%d", routing_id(requester), tag)
        -- Non-posted requests (reads, configuration requests) wait for their completion.
        if not is_message and (not has_data or kind == "CfgWr0") then
            if not pinfo.visited then outstanding[requester * 65536 + tag] = pinfo.number end
            if response_of[pinfo.number] then tree:add(pf.response_in, response_of[pinfo.number]) end
        end
        if is_message then
            tree:add(pf.message_code, t(7, 1))
            local code = t(7, 1):uint()
            info = info .. string.format(" code=0x%02x", code)
            if error_messages[code] then
                info = info .. " " .. error_messages[code]
                tree:add_proto_expert_info(code == 0x30 and ef.correctable_message or ef.error_message,
                    error_messages[code] .. " from " .. routing_id(requester))
            end
            local routing = bits(fmt_type, 0, 3)
            if routing == 1 then
                local address = UInt64(bits(t(12, 4):uint(), 2, 30) * 4, t(8, 4):uint())
                tree:add(pf.address, t(8, 8), address)
            elseif routing == 2 then
                add_id(tree, pf.target_id, t(8, 2))
            end
        else
            local byte7 = t(7, 1):uint()
            tree:add(pf.last_be, t(7, 1), bits(byte7, 4, 4))
            tree:add(pf.first_be, t(7, 1), bits(byte7, 0, 4))
            if kind == "CfgRd0" or kind == "CfgWr0" then
                local target = add_id(tree, pf.target_id, t(8, 2))
                local register = bits(t(10, 1):uint(), 0, 4) * 64 + bits(t(11, 1):uint(), 2, 6)
                tree:add(pf.register, t(10, 2), register):append_text(string.format(" (offset 0x%x)", register * 4))
                info = info .. string.format(" target=%s offset=0x%x", routing_id(target), register * 4)
            else
                local address
                if header_length == 16 then
                    address = UInt64(bits(t(12, 4):uint(), 2, 30) * 4, t(8, 4):uint())
                    tree:add(pf.address, t(8, 8), address)
                else
                    address = UInt64(bits(t(8, 4):uint(), 2, 30) * 4, 0)
                    tree:add(pf.address, t(8, 4), address)
                end
                info = info .. " address=0x" .. hex64(address)
            end
            info = info .. string.format(" length=%d first_be=0x%x last_be=0x%x", length, bits(byte7, 0, 4), bits(byte7, 4, 4))
        end
    end

    local offset = header_length
    if has_data then
        local count = math.min(length * 4, t:len() - offset)
        if count > 0 then
            tree:add(pf.payload, t(offset, count))
            info = info .. " data=" .. t(offset, math.min(count, 16)):bytes():tohex():lower() .. (count > 16 and "..." or "")
        end
        offset = offset + count
    end
    if has_digest and t:len() >= offset + 4 then tree:add(pf.digest, t(offset, 4)) end
    pinfo.cols.info = info
end

local encapsulations = DissectorTable.get("wtap_encap")
encapsulations:add(wtap_encaps.USER0, trace)
encapsulations:add(wtap_encaps.USER1, tlp)
