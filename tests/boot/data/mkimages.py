#!/usr/bin/env python3
"""Make the system images of the init-*.case and system-faults.case boot tests.

    python3 tests/boot/data/mkimages.py      (from the repository root)

writes tests/boot/data/*.img, which are checked in: the boot cases use them
as they are, with no build step. Run it again after a change to
include/mica/system.h (the record layouts below follow it field by field).

The images are written here, not by tools/mksystem, because most of them
are deliberately wrong in ways the tool never produces (a table past the
end, an index out of range, a program that is not ELF, ...) and init must
refuse each with one clear line. Their programs are tiny hand-assembled
ELF executables, so no build output goes into a checked-in file:

  - build-failure images (a PCI function that is absent, an MSI the device
    does not have, ...) are never started, so their program is just `ud2`;
  - faults.img is started: each PD does one bad thing (init reports it by
    name and stops only that PD), and the last one, survivor, prints a line
    and waits, to show the others did not take the system down.
"""
import os
import struct
import sys

MAGIC = 0x5359532E4143494D  # "MICA.SYS"
VERSION = 1
HEADER = "<QIIQ32s" + "IIII" * 12
TABLES = ["programs", "pds", "regions", "maps", "channels", "irqs", "ioports", "devices",
          "bars", "endpoints", "endpoint_ends", "untypeds"]
# Record layouts (include/mica/system.h) and their sizes.
FORMATS = {
    "programs": "<32sQQ",            # name, offset, size
    "pds": "<32sIIQQQQ",             # name, program, priority, budget, period, stack, heap
    "regions": "<32sQQII",           # name, size, paddr, page_bits, flags
    "maps": "<32sIIQII",             # name, pd, region, vaddr, perms, flags
    "channels": "<IIIIIIII",         # two ends: pd, id, flags, reserved
    "irqs": "<IIIIII",               # pd, id, kind, number, flags, reserved
    "ioports": "<32sIIII",           # name, pd, base, size, reserved
    "devices": "<32sIIII",           # name, pd, pci, vendor, device
    "bars": "<32sIIQQII",            # name, device, index, vaddr, size, perms, reserved
    "endpoints": "<32s",             # name
    "endpoint_ends": "<32sIIIIQ",    # name, endpoint, pd, rights, reserved, badge
    "untypeds": "<32sII",            # name, pd, size_bits
}
SIZES = {"programs": 48, "pds": 72, "regions": 56, "maps": 56, "channels": 32, "irqs": 24,
         "ioports": 48, "devices": 48, "bars": 64, "endpoints": 32, "endpoint_ends": 56,
         "untypeds": 40}
assert struct.calcsize(HEADER) == 248
for _t, _f in FORMATS.items():
    assert struct.calcsize(_f) == SIZES[_t], _t

MAP_R, MAP_W, MAP_X = 1, 2, 4
END_PP, END_NOTIFY = 1, 2
IRQ_ISA, IRQ_GSI, IRQ_MSI = 1, 2, 3
ANY_ID = 0xFFFFFFFF
STACK = 0x10000
HEAP = 0x10000
CODE_VADDR = 0x400000
CODE_OFFSET = 64 + 56  # after the ELF header and the one program header


def name(s):
    return s.encode() if isinstance(s, str) else s


def elf(code):
    """A static x86_64 executable: one R+X segment holding headers and code,
    loaded at 0x400000, entered at its first code byte (0x400078)."""
    size = CODE_OFFSET + len(code)
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + bytes(9), 2, 62, 1,
                       CODE_VADDR + CODE_OFFSET, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, CODE_VADDR, CODE_VADDR, size, size, 0x1000)
    return ehdr + phdr + code


UD2 = bytes.fromhex("0f0b")


class System:
    def __init__(self, sysname):
        self.name = sysname
        self.records = {t: [] for t in TABLES}
        self.program_bytes = []

    def program(self, pname, data):
        self.program_bytes.append(data)
        self.records["programs"].append([name(pname), 0, len(data)])
        return len(self.program_bytes) - 1

    def pd(self, pname, program, priority=100, stack=STACK, heap=HEAP):
        self.records["pds"].append([name(pname), program, priority, 1000, 1000, stack, heap])
        return len(self.records["pds"]) - 1

    def add(self, table, *fields):
        self.records[table].append([name(f) if isinstance(f, str) else f for f in fields])
        return len(self.records[table]) - 1

    def image(self, header=None, tables=None):
        """The image; header/tables override fields to make it wrong."""
        out = bytearray(248)
        entries = {}
        for t in TABLES:
            while len(out) % 8:
                out.append(0)
            offset = len(out)
            for r in self.records[t]:
                out += struct.pack(FORMATS[t], *r)
            entries[t] = [offset if self.records[t] else 0, len(self.records[t]), SIZES[t], 0]
        for i, data in enumerate(self.program_bytes):
            while len(out) % 4096:
                out.append(0)
            rec = self.records["programs"][i]
            rec[1] = len(out)
            out += data
        # Program offsets are known only now: write the table again.
        off = entries["programs"][0]
        for r in self.records["programs"]:
            out[off:off + 48] = struct.pack(FORMATS["programs"], *r)
            off += 48
        for t, fields in (tables or {}).items():
            for k, v in fields.items():
                entries[t][["offset", "count", "entry_size", "reserved"].index(k)] = v
        h = {"magic": MAGIC, "version": VERSION, "header_size": 248, "image_size": len(out),
             "name": name(self.name)}
        h.update(header or {})
        flat = []
        for t in TABLES:
            flat += entries[t]
        out[0:248] = struct.pack(HEADER, h["magic"], h["version"], h["header_size"],
                                 h["image_size"], h["name"], *flat)
        return bytes(out)


def one_pd(sysname="broken"):
    s = System(sysname)
    s.pd("alone", s.program("ud2", elf(UD2)))
    return s


def images():
    """name -> bytes of every image the boot cases use."""
    out = {}

    # --- the image itself is wrong (image.c refuses it, nothing built)
    good = one_pd().image()
    out["image-short"] = good[:100]
    out["image-truncated"] = good[:-1000]
    out["image-version"] = one_pd().image(header={"version": 2})
    out["image-header-size"] = one_pd().image(header={"header_size": 200})
    out["image-table-past-end"] = one_pd().image(tables={"pds": {"count": 1000}})
    out["image-entry-size"] = one_pd().image(tables={"maps": {"entry_size": 48}})
    out["image-misaligned"] = one_pd().image(tables={"pds": {"offset": 252}})
    out["image-no-pds"] = System("empty").image()

    s = one_pd()
    s.add("regions", "buf", 0x1000, 0, 12, 0)
    s.add("maps", "buf", 0, 7, 0x10000000, MAP_R | MAP_W, 1)
    out["image-index"] = s.image()

    s = System("broken")
    s.pd("x" * 32, s.program("ud2", elf(UD2)))
    out["image-name"] = s.image()

    s = one_pd()
    s.records["programs"][0][0] = name("ud2")
    out["image-program-outside"] = bytearray(s.image())
    # The program's size field says more bytes than the image holds.
    off = struct.unpack_from("<I", out["image-program-outside"], 56)[0]
    struct.pack_into("<Q", out["image-program-outside"], off + 40, 0x100000)
    out["image-program-outside"] = bytes(out["image-program-outside"])

    s = System("broken")
    s.pd("alone", s.program("notes.txt", b"These are notes, not a program.\n" * 8))
    out["image-not-elf"] = s.image()

    s = System("broken")
    s.pd("greedy", s.program("ud2", elf(UD2)), priority=255)
    out["image-priority"] = s.image()

    s = System("broken")
    prog = s.program("ud2", elf(UD2))
    s.pd("a", prog)
    s.pd("b", prog)
    s.add("channels", 0, 63, END_NOTIFY, 0, 1, 0, END_NOTIFY, 0)
    out["image-channel-id"] = s.image()

    # --- the image is fine, a PD cannot be built (build.c, devices.c)
    def device_pd(devname, pci, vendor=ANY_ID, device=ANY_ID, msi=False):
        s = System("devices")
        s.pd("driver", s.program("ud2", elf(UD2)))
        d = s.add("devices", devname, 0, pci, vendor, device)
        if msi:
            s.add("irqs", 0, 0, IRQ_MSI, d, 0, 0)
        return s.image()

    out["build-pci-absent"] = device_pd("nic", 0x0038)           # 00:07.0
    out["build-pci-mismatch"] = device_pd("edu", 0x0018, 0x1234, 0x1111)  # 00:03.0
    out["build-no-msi"] = device_pd("bridge", 0x0000, msi=True)  # 00:00.0, no MSI

    s = System("devices")
    s.pd("driver", s.program("ud2", elf(UD2)))
    s.add("irqs", 0, 2, IRQ_GSI, 40, 0, 0)
    out["build-gsi-refused"] = s.image()

    s = System("memory")
    s.pd("greedy", s.program("ud2", elf(UD2)))
    s.add("untypeds", "pool", 0, 30)
    out["build-out-of-memory"] = s.image()

    s = System("memory")
    s.pd("driver", s.program("ud2", elf(UD2)))
    s.add("regions", "ram", 0x1000, 0x1000000, 12, 1)   # MICA_SYS_REGION_PHYS, in RAM
    s.add("maps", "ram", 0, 0, 0x10000000, MAP_R | MAP_W, 0)
    out["build-phys-ram"] = s.image()

    out["faults"] = faults().image()
    return out


def survivor_code():
    msg = b"survivor: still running; waiting for a notification that never comes\n"
    # lea rdi,[rip+msg]; mov esi,len; mov rax,-65 (debug write); syscall
    # mov rax,MICA_PD_INFO+88; mov rdi,[rax] (pd_info.notification)
    # wait: xor esi,esi; mov rax,-5 (Recv); syscall; jmp wait
    body = bytearray()
    body += bytes.fromhex("488d3d") + b"\0\0\0\0"
    lea_end = len(body)
    body += b"\xbe" + struct.pack("<I", len(msg))
    body += bytes.fromhex("48c7c0bfffffff0f05")
    body += bytes.fromhex("48b8") + struct.pack("<Q", 0x7FFF00400000 + 88)
    body += bytes.fromhex("488b38")
    wait = len(body)
    body += bytes.fromhex("31f648c7c0fbffffff0f05")
    body += b"\xeb" + struct.pack("<b", wait - (len(body) + 2))
    struct.pack_into("<i", body, 3, len(body) - lea_end)
    return bytes(body) + msg


def faults():
    """One PD per kind of fault, highest priority first, then survivor."""
    s = System("faults")
    kinds = [
        ("null", "488b042500000000"),        # mov rax,[0]
        ("ud", "0f0b"),                      # ud2
        ("de", "31c9f7f1"),                  # xor ecx,ecx; div ecx
        ("gp", "cd80"),                      # int 0x80: #GP under TCG
        ("bp", "cc0f0b"),                    # int3
        ("sys", "b8270000000f05"),           # mov eax,39; syscall
        ("text", "488d0500000000" "8900"),   # lea rax,[rip]; mov [rax],eax
        ("deep", "4889842400 00feff".replace(" ", "")),  # mov [rsp-0x20000],rax
        ("jump", "488d4424f8ffe0"),          # lea rax,[rsp-8]; jmp rax
        ("info", "48b80000400 0ff7f0000".replace(" ", "") + "488900"),  # write PD info
    ]
    prio = 200
    for pname, code in kinds:
        s.pd(pname, s.program(pname, elf(bytes.fromhex(code))), priority=prio)
        prio -= 10
    s.pd("survivor", s.program("survivor", elf(survivor_code())), priority=50)
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for n, data in sorted(images().items()):
        with open(os.path.join(here, n + ".img"), "wb") as f:
            f.write(data)
    print("wrote %d images to %s" % (len(images()), here), file=sys.stderr)


if __name__ == "__main__":
    main()
