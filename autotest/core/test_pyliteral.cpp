// pyliteral: the Python literals of xarrayvideo's XARRAY tags, as cJSON.
#include <string>

#include <cjson/cJSON.h>
#include <gtest/gtest.h>

extern "C" {
#include "pyliteral.h"
}

namespace
{

TEST(PyLiteral, ReadsATagAsXarrayvideoWritesIt)
{
    const char *tag =
        "{'VERSION': '0.2', 'BANDS': \"['UWND', 'VWND', 'VWND']\", "
        "'CHANNELS': 3, 'COORDS_DIMS': \"('time', 'x', 'y')\", "
        "'RANGE': '[[-14.9766807, 11.1826229], [nan, 1e-3]]', "
        "'PLANAR': True, 'NORMALIZED': False, 'PCA_PARAMS': None, 'ORDER': 1}";
    cJSON *o = xav_pyliteral_parse(tag);
    ASSERT_NE(o, nullptr);
    EXPECT_STREQ("0.2", cJSON_GetObjectItem(o, "VERSION")->valuestring);
    EXPECT_EQ(3, cJSON_GetObjectItem(o, "CHANNELS")->valueint);
    EXPECT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(o, "PLANAR")));
    EXPECT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(o, "NORMALIZED")));
    EXPECT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(o, "PCA_PARAMS")));
    // a string that is itself a literal
    cJSON *dims =
        xav_pyliteral_parse(cJSON_GetObjectItem(o, "COORDS_DIMS")->valuestring);
    ASSERT_EQ(3, cJSON_GetArraySize(dims));
    EXPECT_STREQ("y", cJSON_GetArrayItem(dims, 2)->valuestring);
    cJSON *range =
        xav_pyliteral_parse(cJSON_GetObjectItem(o, "RANGE")->valuestring);
    EXPECT_DOUBLE_EQ(
        -14.9766807,
        cJSON_GetArrayItem(cJSON_GetArrayItem(range, 0), 0)->valuedouble);
    EXPECT_TRUE(
        cJSON_IsNull(cJSON_GetArrayItem(cJSON_GetArrayItem(range, 1), 0)));
    cJSON_Delete(range);
    cJSON_Delete(dims);
    cJSON_Delete(o);
}

TEST(PyLiteral, EscapesAndNesting)
{
    cJSON *o = xav_pyliteral_parse("{'a': 'it\\'s', 'b': (1, [2, {'c': ()}])}");
    ASSERT_NE(o, nullptr);
    EXPECT_STREQ("it's", cJSON_GetObjectItem(o, "a")->valuestring);
    cJSON_Delete(o);
}

TEST(PyLiteral, RefusesWhatIsNotOneLiteral)
{
    const char *bad[] = {"",
                         "{'a': 1",
                         "{'a' 1}",
                         "{1: 2}",
                         "'unterminated",
                         "'ends in a backslash\\",
                         "[1, 2] trailing",
                         "__import__('os')",
                         "[1,, 2]"};
    for (const char *text : bad)
        EXPECT_EQ(nullptr, xav_pyliteral_parse(text)) << text;
    EXPECT_EQ(nullptr, xav_pyliteral_parse(nullptr));
    // nesting beyond any tag's: refused, not a stack overflow
    std::string deep(100000, '[');
    EXPECT_EQ(nullptr, xav_pyliteral_parse(deep.c_str()));
}

} // namespace
