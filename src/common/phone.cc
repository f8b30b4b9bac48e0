/* Telephone numbers in E.164 through Google's libphonenumber (guichet/phone.h).
 *
 * The one C++ file of guichet: a C API over PhoneNumberUtil, so that the
 * rest stays C. Every entry point catches whatever the library or the
 * standard library throws (std::bad_alloc, in practice) and answers it as
 * an error code. PhoneNumberUtil::GetInstance() is made once, under
 * pthread_once (Debian's build uses singleton_posix.h and lock_posix.h),
 * and its methods used here are const: any thread may call in. Its logger
 * is libphonenumber's NullLogger by default, so nothing is printed. */
#include "guichet/phone.h"
#include "guichet/error.h"

#include <cstring>
#include <new>
#include <set>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

/* The regions with a numbering plan, read once (a function's static is
 * initialised once, thread-safely, since C++11). */
const std::set<std::string> &supported_regions()
{
	static const std::set<std::string> regions = [] {
		std::set<std::string> r;
		PhoneNumberUtil::GetInstance()->GetSupportedRegions(&r);
		return r;
	}();
	return regions;
}

bool region_known(const char *region)
{
	return region && std::strlen(region) == 2 && supported_regions().count(region) > 0;
}

int e164(const char *typed, const char *region, char *ret, size_t len)
{
	if (len < PHONE_E164_LEN)
		return GC_ETOOBIG;
	bool none = region == nullptr || *region == '\0';
	if (typed == nullptr || std::strlen(typed) > PHONE_MAX_INPUT || (!none && !region_known(region)))
		return GC_EINVAL;
	const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
	PhoneNumber number;
	/* "ZZ", libphonenumber's unknown region: only a number with its country code is read */
	if (util->Parse(typed, none ? "ZZ" : region, &number) != PhoneNumberUtil::NO_PARSING_ERROR)
		return GC_EINVAL;
	/* IS_POSSIBLE_LOCAL_ONLY (a number missing its area code) is not a whole number */
	if (util->IsPossibleNumberWithReason(number) != PhoneNumberUtil::IS_POSSIBLE)
		return GC_EINVAL;
	/* A national number that still starts with its country's trunk prefix
	 * is one typed a digit short ("06 12 34 56 7" in France): the prefix
	 * was kept to make up the length, and +33061234567 is no number */
	std::string region_of, prefix, significant;
	util->GetRegionCodeForCountryCode(number.country_code(), &region_of);
	util->GetNddPrefixForRegion(region_of, true, &prefix);
	util->GetNationalSignificantNumber(number, &significant);
	if (!prefix.empty() && significant.compare(0, prefix.size(), prefix) == 0)
		return GC_EINVAL;
	std::string out, again;
	util->Format(number, PhoneNumberUtil::E164, &out);
	if (out.size() < 2 || out.size() >= len || out[0] != '+')
		return GC_EINVAL;
	/* The key must read back as itself, or one number would have two keys:
	 * libphonenumber takes a national prefix off a number after its country
	 * code too, so an impossible national number that keeps its prefix
	 * ("(0)0035..." in Germany: +49003...) would come back shorter
	 * (fuzz-phone found it). Such a form is no number to call. */
	PhoneNumber back;
	if (util->Parse(out, "ZZ", &back) != PhoneNumberUtil::NO_PARSING_ERROR)
		return GC_EINVAL;
	util->Format(back, PhoneNumberUtil::E164, &again);
	if (again != out)
		return GC_EINVAL;
	std::memcpy(ret, out.c_str(), out.size() + 1);
	return GC_OK;
}

} // namespace

extern "C" int phone_e164(const char *typed, const char *region, char *ret, size_t len)
{
	try {
		return e164(typed, region, ret, len);
	} catch (const std::bad_alloc &) {
		return GC_ENOMEM;
	} catch (...) {
		return GC_EINVAL;
	}
}

extern "C" bool phone_region_known(const char *region)
{
	try {
		return region_known(region);
	} catch (...) {
		return false;
	}
}
