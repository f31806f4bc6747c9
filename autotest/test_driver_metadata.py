"""The driver's metadata as GDAL and its users see it: DCAP_* items are
only ever YES, the creation and open option lists are well-formed XML that
a schema of GDAL's option lists accepts (every option with a type and a
description, and a default or a description that states it), and GDAL's
own option validation understands them: a value of the wrong type or out
of range draws GDAL's warning, a declared option with a good value none."""
import re

import pytest
from lxml import etree  # installed by scripts/bootstrap.sh (python3-lxml)
from osgeo import gdal

from xavtest import L7, REPO, assert_error, capture_errors, run_cli

# Our own schema of GDAL's option lists: <Option> elements with a name
# without spaces, one of the types GDALValidateOptions knows, a required
# description, optional default/min/max/scope, and <Value> children for
# string-select.
_SCHEMA = """
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:simpleType name="optionType">
    <xs:restriction base="xs:string">
      <xs:enumeration value="int"/>
      <xs:enumeration value="unsigned int"/>
      <xs:enumeration value="float"/>
      <xs:enumeration value="boolean"/>
      <xs:enumeration value="string"/>
      <xs:enumeration value="string-select"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="optionName">
    <xs:restriction base="xs:string">
      <xs:pattern value="[A-Z][A-Z0-9_]*"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="text">
    <xs:restriction base="xs:string">
      <xs:minLength value="10"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="option">
    <xs:sequence>
      <xs:element name="Value" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
    <xs:attribute name="name" type="optionName" use="required"/>
    <xs:attribute name="type" type="optionType" use="required"/>
    <xs:attribute name="description" type="text" use="required"/>
    <xs:attribute name="default" type="xs:string"/>
    <xs:attribute name="min" type="xs:decimal"/>
    <xs:attribute name="max" type="xs:decimal"/>
    <xs:attribute name="scope" type="xs:string"/>
  </xs:complexType>
  <xs:complexType name="list">
    <xs:sequence>
      <xs:element name="Option" type="option" minOccurs="1" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
  <xs:element name="CreationOptionList" type="list"/>
  <xs:element name="OpenOptionList" type="list"/>
</xs:schema>
"""

LISTS = {"DMD_CREATIONOPTIONLIST": "CreationOptionList",
         "DMD_OPENOPTIONLIST": "OpenOptionList"}

# A value of the wrong kind for each option type, which GDAL must flag.
_WRONG = {"int": "abc", "float": "abc", "boolean": "maybe", "string-select": "NOT_A_CHOICE"}


def options(driver, item):
    return etree.fromstring(driver.GetMetadataItem(item).encode()).findall("Option")


def test_dcap_items_are_yes(driver):
    md = driver.GetMetadata()
    caps = {k: v for k, v in md.items() if k.startswith("DCAP_")}
    assert caps.get("DCAP_RASTER") == "YES" and caps.get("DCAP_CREATECOPY") == "YES"
    assert all(v == "YES" for v in caps.values()), caps


def test_names_extensions_help(driver):
    md = driver.GetMetadata()
    assert md["DMD_LONGNAME"] and md["DMD_EXTENSIONS"].split() == ["mkv", "json"]
    help_topic = md["DMD_HELPTOPIC"]
    assert (REPO / help_topic).is_file(), f"DMD_HELPTOPIC {help_topic} is not in the repository"


@pytest.mark.parametrize("item", sorted(LISTS))
def test_option_list_matches_schema(driver, item):
    schema = etree.XMLSchema(etree.fromstring(_SCHEMA.encode()))
    doc = etree.fromstring(driver.GetMetadataItem(item).encode())
    assert doc.tag == LISTS[item]
    assert schema.validate(doc), f"{item}: {schema.error_log}"


@pytest.mark.parametrize("item", sorted(LISTS))
def test_every_option_states_its_default(driver, item):
    for opt in options(driver, item):
        name, typ = opt.get("name"), opt.get("type")
        values = [v.text for v in opt.findall("Value")]
        assert (typ == "string-select") == bool(values), f"{name}: Value children only for selects"
        default = opt.get("default")
        if default is None:
            # no single default value: the description says what happens
            assert re.search(r"\(default", opt.get("description")), (
                f"{name} has neither a default nor a description of it")
            continue
        if typ == "string-select":
            assert default in values, f"{name}: default {default} not in {values}"
        elif typ == "boolean":
            assert default in ("YES", "NO"), name
        elif typ in ("int", "float"):
            v = float(default)
            assert float(opt.get("min", v)) <= v <= float(opt.get("max", v)), name


def test_gdalinfo_format_lists_every_option(driver):
    p = run_cli(["gdalinfo", "--format", "XAVIDEO"])
    assert p.returncode == 0, p.stderr
    for item in LISTS:
        for opt in options(driver, item):
            assert re.search(rf'<Option name="{opt.get("name")}" type="[^"]+"', p.stdout), opt.get("name")


@pytest.fixture(scope="module")
def small_source():
    src = gdal.Translate("", str(L7), format="MEM", srcWin=[0, 0, 48, 48], bandList=[1])
    assert src is not None
    return src


def _gdal_warnings(log, name, kind):
    return [m for c, _, m in log.records if c == gdal.CE_Warning and name in m
            and f"{kind} option" in m]


@pytest.mark.parametrize("typ", sorted(_WRONG))
def test_gdal_validation_flags_wrong_creation_values(driver, small_source, typ):
    """GDALValidateCreationOptions reads our XML: a wrong value of each
    declared type draws its warning, and the driver refuses it too."""
    opts = [o for o in options(driver, "DMD_CREATIONOPTIONLIST") if o.get("type") == typ]
    assert opts
    for opt in opts:
        with capture_errors() as log:
            out = driver.CreateCopy("/vsimem/bad.mkv", small_source, 0,
                                    [f"{opt.get('name')}={_WRONG[typ]}"])
        assert out is None, f"{opt.get('name')}={_WRONG[typ]} was accepted"
        if opt.get("name") == "APPEND_SUBDATASET":
            # GDAL leaves its own option out of the validation: ours says
            assert_error(log, ["APPEND_SUBDATASET"], what="a wrong APPEND_SUBDATASET")
            continue
        assert _gdal_warnings(log, opt.get("name"), "creation"), log.messages
        assert gdal.VSIStatL("/vsimem/bad.mkv") is None


def test_gdal_validation_knows_min_and_max(driver, small_source):
    for opt in options(driver, "DMD_CREATIONOPTIONLIST"):
        if opt.get("max") is None:
            continue
        value = int(float(opt.get("max"))) + 1
        with capture_errors() as log:
            out = driver.CreateCopy("/vsimem/bad.mkv", small_source, 0, [f"{opt.get('name')}={value}"])
        assert out is None and any("should be <=" in m for m in _gdal_warnings(log, opt.get("name"), "creation")), (
            opt.get("name"), log.messages)


def test_declared_options_draw_no_warning_and_unknown_does(driver, small_source, tmp_path):
    good = ["CODEC=X265", "BITS=10", "CRF=20", "PRESET=ultrafast", "GOP=4", "TILE_SIZE=32",
            "BAND_LAYOUT=VARIABLE", "VARIABLE_NAMES=red", "TIME_NAME=t", "TIME_CALENDAR=standard"]
    dst = tmp_path / "good.mkv"
    with capture_errors() as log:
        out = driver.CreateCopy(str(dst), small_source, 0, good + ["NOT_AN_OPTION=1"])
    assert out is not None, log.messages
    out = None
    warnings = [m for c, _, m in log.records if c == gdal.CE_Warning]
    assert warnings == ["driver XAVIDEO does not support creation option NOT_AN_OPTION"], warnings


def test_gdal_validation_of_open_options(driver, small_source, tmp_path):
    dst = tmp_path / "open.mkv"
    assert driver.CreateCopy(str(dst), small_source, 0, ["LOSSLESS=YES"]) is not None
    with capture_errors() as log:
        ds = gdal.OpenEx(str(dst), open_options=["NUM_THREADS=2", "CACHE_SIZE=16"])
    assert ds is not None and not log.records, log.messages
    ds = None
    for opt in options(driver, "DMD_OPENOPTIONLIST"):
        for bad in ("abc", "-1"):
            with capture_errors() as log:
                ds = gdal.OpenEx(str(dst), gdal.OF_RASTER, allowed_drivers=["XAVIDEO"],
                                 open_options=[f"{opt.get('name')}={bad}"])
            assert ds is None, f"{opt.get('name')}={bad} was accepted"
            assert _gdal_warnings(log, opt.get("name"), "open"), log.messages
            assert any(c == gdal.CE_Failure and opt.get("name") in m for c, _, m in log.records)
